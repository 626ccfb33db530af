/** Stroke width in canvas pixels: on the 280-pixel pad, about MNIST's 2 px stroke on 28. */
const PEN_WIDTH = 22;

/**
 * The drawing surface: black strokes on a white canvas, from mouse, pen or touch (pointer
 * events), or an image file drawn to fit. `onChange` is called after every stroke segment.
 */
export class DrawPad {
  private readonly context: CanvasRenderingContext2D;
  private last: { x: number; y: number } | undefined;
  /** Whether anything was drawn or shown since the last clear. */
  hasInk = false;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly onChange: () => void,
  ) {
    const context = canvas.getContext('2d');
    if (context === null) throw new Error('this browser cannot draw on a canvas');
    this.context = context;
    this.clear();
    canvas.addEventListener('pointerdown', (event) => this.start(event));
    canvas.addEventListener('pointermove', (event) => this.move(event));
    for (const end of ['pointerup', 'pointercancel'] as const) {
      canvas.addEventListener(end, () => (this.last = undefined));
    }
  }

  /** Paints the canvas white. */
  clear(): void {
    this.context.fillStyle = '#ffffff';
    this.context.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.hasInk = false;
  }

  /** Shows an image scaled to fit the pad (on white), so that drawing can continue on it. */
  async showImage(file: Blob): Promise<void> {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(this.canvas.width / bitmap.width, this.canvas.height / bitmap.height);
    const [width, height] = [bitmap.width * scale, bitmap.height * scale];
    this.clear();
    this.context.drawImage(
      bitmap,
      (this.canvas.width - width) / 2,
      (this.canvas.height - height) / 2,
      width,
      height,
    );
    bitmap.close();
    this.hasInk = true;
  }

  /** The pad as a PNG file, exactly the bytes sent to the server. */
  toPng(): Promise<Blob> {
    return new Promise((resolve, reject) =>
      this.canvas.toBlob(
        (blob) => (blob ? resolve(blob) : reject(new Error('the drawing could not be encoded'))),
        'image/png',
      ),
    );
  }

  /** The event's position in canvas pixels (the canvas may be shown at another size). */
  private point(event: PointerEvent): { x: number; y: number } {
    const box = this.canvas.getBoundingClientRect();
    return {
      x: ((event.clientX - box.left) / box.width) * this.canvas.width,
      y: ((event.clientY - box.top) / box.height) * this.canvas.height,
    };
  }

  private start(event: PointerEvent): void {
    event.preventDefault();
    this.canvas.setPointerCapture(event.pointerId);
    this.last = this.point(event);
    this.stroke(this.last, this.last);
  }

  private move(event: PointerEvent): void {
    if (this.last === undefined) return;
    // Coalesced events keep fast strokes smooth where the browser merges pointer moves.
    const events = event.getCoalescedEvents?.() ?? [event];
    for (const each of events.length > 0 ? events : [event]) {
      const next = this.point(each);
      this.stroke(this.last, next);
      this.last = next;
    }
  }

  private stroke(from: { x: number; y: number }, to: { x: number; y: number }): void {
    const context = this.context;
    context.strokeStyle = '#000000';
    context.lineWidth = PEN_WIDTH;
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.beginPath();
    context.moveTo(from.x, from.y);
    context.lineTo(to.x, to.y);
    context.stroke();
    this.hasInk = true;
    this.onChange();
  }
}
