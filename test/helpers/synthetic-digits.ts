import type { Random } from '../../src/nn/random.js';

/**
 * MNIST-looking synthetic digits for tests and fixtures: pen strokes per digit in a unit box,
 * jittered by a seeded Random, drawn anti-aliased so that the longer side fills a 20 px box and
 * placed with the centre of mass at (14, 14) of a 28×28 field, white ink on black.
 */

type Point = readonly [number, number];

/** An elliptical arc in the unit box, from angle `from` to `to` (radians, y down). */
function arc(cx: number, cy: number, rx: number, ry: number, from: number, to: number): Point[] {
  const steps = 16;
  return Array.from({ length: steps + 1 }, (_, i) => {
    const angle = from + ((to - from) * i) / steps;
    return [cx + rx * Math.cos(angle), cy + ry * Math.sin(angle)] as const;
  });
}

const PI = Math.PI;

/** Stroke skeletons (polylines) of each digit in a unit box. */
const STROKES: ReadonlyArray<ReadonlyArray<readonly Point[]>> = [
  [arc(0.5, 0.5, 0.3, 0.5, 0, 2 * PI)],
  [
    [
      [0.45, 0.1],
      [0.55, 0],
      [0.55, 1],
    ],
  ],
  [[...arc(0.5, 0.3, 0.35, 0.3, PI, 2.25 * PI), [0.1, 1], [0.9, 1]]],
  [arc(0.45, 0.25, 0.35, 0.25, 1.1 * PI, 2.5 * PI), arc(0.45, 0.72, 0.4, 0.28, 1.5 * PI, 2.9 * PI)],
  [
    [
      [0.55, 0],
      [0.1, 0.65],
      [0.9, 0.65],
    ],
    [
      [0.65, 0.3],
      [0.65, 1],
    ],
  ],
  [[[0.85, 0], [0.25, 0], [0.2, 0.42], ...arc(0.5, 0.68, 0.38, 0.3, 1.2 * PI, 2.8 * PI)]],
  [[[0.75, 0], ...arc(0.5, 0.7, 0.32, 0.3, 1.1 * PI, 3.1 * PI)]],
  [
    [
      [0.1, 0],
      [0.9, 0],
      [0.35, 1],
    ],
  ],
  [arc(0.5, 0.25, 0.28, 0.25, 0, 2 * PI), arc(0.5, 0.73, 0.34, 0.27, 0, 2 * PI)],
  [[...arc(0.5, 0.3, 0.32, 0.3, 0, 2 * PI), [0.82, 0.3], [0.7, 1]]],
];

/** Distance from p to the segment a–b. */
function segmentDistance(px: number, py: number, a: Point, b: Point): number {
  const [ax, ay] = a;
  const dx = b[0] - ax;
  const dy = b[1] - ay;
  const lengthSquared = dx * dx + dy * dy;
  const t =
    lengthSquared === 0
      ? 0
      : Math.min(1, Math.max(0, ((px - ax) * dx + (py - ay) * dy) / lengthSquared));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** The strokes jittered (slant, point noise) and mapped to pixels with the longer side filling the box. */
function placeStrokes(label: number, random: Random, radius: number): Point[][] {
  const slant = random.uniform(-0.2, 0.2);
  const wobble = (): number => random.uniform(-0.03, 0.03);
  const strokes = STROKES[label].map((stroke) =>
    stroke.map(([x, y]) => [x + slant * (0.5 - y) + wobble(), y + wobble()] as const),
  );
  const points = strokes.flat();
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const [left, top] = [Math.min(...xs), Math.min(...ys)];
  const extent = Math.max(Math.max(...xs) - left, Math.max(...ys) - top);
  // The ink (skeleton plus pen radius) spans the 20 px box; the field centre is refined later.
  const scale = (20 - 2 * radius - 1) / extent;
  return strokes.map((stroke) =>
    stroke.map(
      ([x, y]) =>
        [4 + radius + 0.5 + (x - left) * scale, 4 + radius + 0.5 + (y - top) * scale] as const,
    ),
  );
}

/** Moves ink by whole pixels so that its centre of mass is nearest (14, 14). */
function centreField(ink: Float64Array): Float64Array {
  let mass = 0;
  let sumX = 0;
  let sumY = 0;
  ink.forEach((value, i) => {
    mass += value;
    sumX += value * (i % 28);
    sumY += value * Math.floor(i / 28);
  });
  const dx = Math.round(14 - sumX / mass);
  const dy = Math.round(14 - sumY / mass);
  const moved = new Float64Array(784);
  ink.forEach((value, i) => {
    const x = (i % 28) + dx;
    const y = Math.floor(i / 28) + dy;
    if (x >= 0 && x < 28 && y >= 0 && y < 28) moved[y * 28 + x] = value;
  });
  return moved;
}

/** A 28×28 synthetic digit (bytes, 0 background, 255 strongest ink). */
export function drawSyntheticDigit(label: number, random: Random): Uint8Array {
  const radius = random.uniform(0.9, 1.5);
  const strokes = placeStrokes(label, random, radius);
  const ink = new Float64Array(784);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      let distance = Infinity;
      for (const stroke of strokes) {
        for (let i = 1; i < stroke.length; i++) {
          distance = Math.min(
            distance,
            segmentDistance(x + 0.5, y + 0.5, stroke[i - 1], stroke[i]),
          );
        }
      }
      // Coverage of a pixel by a pen of this radius, approximated linearly across its edge.
      ink[y * 28 + x] = Math.min(1, Math.max(0, radius + 0.5 - distance));
    }
  }
  const centred = centreField(ink);
  const strongest = Math.max(...centred);
  return Uint8Array.from(centred, (value) => Math.round((value / strongest) * 255));
}
