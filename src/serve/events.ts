import type { ServerResponse } from 'node:http';
import { SECURITY_HEADERS } from './security.js';

/** How long an idle event stream waits before a comment line keeps proxies and browsers from closing it. */
const KEEP_ALIVE_MS = 20_000;

/** The open server-sent-event streams of the pages, and what they are told. */
export class EventStreams {
  private readonly streams = new Set<ServerResponse>();
  private readonly timer = setInterval(
    () => this.writeAll(': keep-alive\n\n'),
    KEEP_ALIVE_MS,
  ).unref();

  /** Turns a response into an event stream that receives every later event. */
  open(response: ServerResponse): void {
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
    });
    // A browser that loses the stream reconnects after this many milliseconds.
    response.write('retry: 1000\n\n');
    this.streams.add(response);
    response.on('close', () => this.streams.delete(response));
  }

  /** Sends one named event with JSON data to every open stream. */
  send(event: string, data: unknown): void {
    this.writeAll(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Ends every stream (the server is stopping). */
  close(): void {
    clearInterval(this.timer);
    for (const stream of this.streams) stream.end();
    this.streams.clear();
  }

  private writeAll(text: string): void {
    for (const stream of this.streams) stream.write(text);
  }
}
