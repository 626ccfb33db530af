/**
 * Prints a generated kernel module as WebAssembly text (WAT), so that a reviewer can read what
 * runs. It decodes the bytes themselves, with the instruction table the emitters use, and takes
 * the parameter and local names from the module's "name" section. It reads only what
 * buildModule writes and rejects anything else.
 */
import type { InstructionName, InstructionSpec } from './wasm-module.js';
import { INSTRUCTIONS, ValueType } from './wasm-module.js';

/** Reads the bytes of a module front to back. */
class Reader {
  position = 0;

  constructor(private readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.position >= this.bytes.length;
  }

  byte(): number {
    if (this.done) throw new Error('the module ends in the middle of an item');
    return this.bytes[this.position++];
  }

  /** Unsigned LEB128. */
  u32(): number {
    let result = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = this.byte();
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
    }
  }

  /** Signed LEB128 of a 32-bit integer. */
  s32(): number {
    let result = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = this.byte();
      result |= (byte & 0x7f) << shift;
      shift += 7;
    } while ((byte & 0x80) !== 0);
    return shift < 32 && (byte & 0x40) !== 0 ? result | (-1 << shift) : result;
  }

  take(length: number): Uint8Array {
    const slice = this.bytes.subarray(this.position, this.position + length);
    if (slice.length !== length) throw new Error('the module ends in the middle of an item');
    this.position += length;
    return slice;
  }

  name(): string {
    return Buffer.from(this.take(this.u32())).toString('utf8');
  }

  vector<T>(item: () => T): T[] {
    return Array.from({ length: this.u32() }, item);
  }
}

const TYPE_NAMES = new Map<number, string>(
  Object.entries(ValueType).map(([name, byte]) => [byte, name]),
);

/** The instruction table keyed by its opcode bytes ("prefix:code"). */
const BY_OPCODE = new Map<string, [InstructionName, InstructionSpec]>(
  (Object.entries(INSTRUCTIONS) as [InstructionName, InstructionSpec][]).map(([name, spec]) => [
    `${spec.prefix ?? ''}:${spec.code}`,
    [name, spec],
  ]),
);

function valueType(byte: number): string {
  const type = TYPE_NAMES.get(byte);
  if (type === undefined) throw new Error(`unknown value type 0x${byte.toString(16)}`);
  return type;
}

/** What the sections of a module say, before printing. */
interface ModuleParts {
  types: string[][];
  imports: string[];
  functionTypes: number[];
  exports: Map<number, string>;
  bodies: { locals: string[]; code: Uint8Array }[];
  functionNames: Map<number, string>;
  localNames: Map<number, Map<number, string>>;
}

function readImport(reader: Reader): string {
  const module = reader.name();
  const field = reader.name();
  if (reader.byte() !== 0x02) throw new Error('only a memory import is supported');
  const flags = reader.byte();
  const minimum = reader.u32();
  const maximum = (flags & 1) !== 0 ? ` ${reader.u32()}` : '';
  const shared = (flags & 2) !== 0 ? ' shared' : '';
  return `(import "${module}" "${field}" (memory ${minimum}${maximum}${shared}))`;
}

function readBody(reader: Reader): { locals: string[]; code: Uint8Array } {
  const size = reader.u32();
  const end = reader.position + size;
  const locals = reader
    .vector(() => ({ count: reader.u32(), type: valueType(reader.byte()) }))
    .flatMap(({ count, type }) => new Array<string>(count).fill(type));
  return { locals, code: reader.take(end - reader.position) };
}

function readNames(reader: Reader, parts: ModuleParts, end: number): void {
  while (reader.position < end) {
    const id = reader.byte();
    const size = reader.u32();
    if (id === 1) {
      reader.vector(() => parts.functionNames.set(reader.u32(), reader.name()));
    } else if (id === 2) {
      reader.vector(() => {
        const names = new Map<number, string>();
        parts.localNames.set(reader.u32(), names);
        reader.vector(() => names.set(reader.u32(), reader.name()));
      });
    } else {
      reader.take(size);
    }
  }
}

function readModule(bytes: Uint8Array): ModuleParts {
  const reader = new Reader(bytes);
  const header = [...reader.take(8)].join();
  if (header !== '0,97,115,109,1,0,0,0') throw new Error('not a WebAssembly 1.0 module');
  const parts: ModuleParts = {
    types: [],
    imports: [],
    functionTypes: [],
    exports: new Map(),
    bodies: [],
    functionNames: new Map(),
    localNames: new Map(),
  };
  while (!reader.done) {
    const id = reader.byte();
    const end = reader.u32() + reader.position;
    if (id === 0) {
      if (reader.name() === 'name') readNames(reader, parts, end);
    } else if (id === 1) {
      parts.types = reader.vector(() => {
        if (reader.byte() !== 0x60) throw new Error('only function types are supported');
        const params = reader.vector(() => valueType(reader.byte()));
        if (reader.vector(() => reader.byte()).length !== 0) throw new Error('results unsupported');
        return params;
      });
    } else if (id === 2) {
      parts.imports = reader.vector(() => readImport(reader));
    } else if (id === 3) {
      parts.functionTypes = reader.vector(() => reader.u32());
    } else if (id === 7) {
      reader.vector(() => {
        const name = reader.name();
        if (reader.byte() !== 0x00) throw new Error('only function exports are supported');
        parts.exports.set(reader.u32(), name);
      });
    } else if (id === 10) {
      parts.bodies = reader.vector(() => readBody(reader));
    } else {
      throw new Error(`unexpected section ${id}`);
    }
    reader.position = end;
  }
  return parts;
}

/** A view for reading little-endian numbers from a few bytes. */
function littleEndian(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** An f64 constant as WAT writes it. */
function f64Text(bytes: Uint8Array): string {
  const value = littleEndian(bytes).getFloat64(0, true);
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  return Object.is(value, -0) ? '-0' : String(value);
}

/** An f32 constant as WAT writes it. */
function f32Text(bytes: Uint8Array): string {
  const value = littleEndian(bytes).getFloat32(0, true);
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  return Object.is(value, -0) ? '-0' : String(value);
}

/** A 32-bit word as 0x followed by 8 hex digits. */
function hex32(word: number): string {
  return `0x${word.toString(16).padStart(8, '0')}`;
}

/** The text of one instruction's immediate, or '' when it has none to show. */
function immediateText(
  reader: Reader,
  spec: InstructionSpec,
  localName: (index: number) => string,
): string {
  switch (spec.immediate) {
    case 'none':
      return '';
    case 'local':
      return ` ${localName(reader.u32())}`;
    case 'depth':
      return ` ${reader.u32()}`;
    case 'i32':
      return ` ${reader.s32()}`;
    case 'f32':
      return ` ${f32Text(reader.take(4))}`;
    case 'f64':
      return ` ${f64Text(reader.take(8))}`;
    case 'memarg': {
      const align = 2 ** reader.u32();
      const offset = reader.u32();
      return `${offset === 0 ? '' : ` offset=${offset}`}${align === spec.width ? '' : ` align=${align}`}`;
    }
    case 'blocktype':
      if (reader.byte() !== 0x40) throw new Error('only blocks without results are supported');
      return '';
    case 'memory':
      reader.byte();
      return '';
    case 'lane':
      return ` ${reader.byte()}`;
    case 'v128': {
      const words = Array.from({ length: 4 }, () =>
        littleEndian(reader.take(4)).getUint32(0, true),
      );
      return ` i32x4 ${words.map(hex32).join(' ')}`;
    }
    case 'shuffle':
      return ` ${Array.from({ length: 16 }, () => reader.byte()).join(' ')}`;
  }
}

/** The instructions of one body, one per line, indented by block depth. */
function instructionLines(code: Uint8Array, localName: (index: number) => string): string[] {
  const reader = new Reader(code);
  const lines: string[] = [];
  let depth = 2;
  while (!reader.done) {
    const first = reader.byte();
    const key = first === 0xfc || first === 0xfd ? `${first}:${reader.u32()}` : `:${first}`;
    const entry = BY_OPCODE.get(key);
    if (entry === undefined) throw new Error(`unknown opcode ${key} at byte ${reader.position}`);
    const [name, spec] = entry;
    const text = `${name}${immediateText(reader, spec, localName)}`;
    if (name === 'end') {
      depth--;
      if (depth === 1) {
        if (!reader.done) throw new Error('code after the end of a function');
        return lines;
      }
    }
    lines.push(`${'  '.repeat(depth)}${text}`);
    if (spec.immediate === 'blocktype') depth++;
  }
  throw new Error('a function body does not end');
}

/** The WAT text of a module built by buildModule. */
export function moduleText(bytes: Uint8Array): string {
  const parts = readModule(bytes);
  const lines = ['(module', ...parts.imports.map((text) => `  ${text}`)];
  parts.bodies.forEach((body, f) => {
    const names = parts.localNames.get(f) ?? new Map<number, string>();
    const localName = (index: number): string => `$${names.get(index) ?? index}`;
    const params = parts.types[parts.functionTypes[f]];
    const exported = parts.exports.get(f);
    const header = [
      `(func $${parts.functionNames.get(f) ?? f}`,
      ...(exported === undefined ? [] : [`(export "${exported}")`]),
      ...params.map((type, i) => `(param ${localName(i)} ${type})`),
    ];
    lines.push(`  ${header.join(' ')}`);
    body.locals.forEach((type, i) =>
      lines.push(`    (local ${localName(params.length + i)} ${type})`),
    );
    lines.push(...instructionLines(body.code, localName), '  )');
  });
  lines.push(')');
  return `${lines.join('\n')}\n`;
}
