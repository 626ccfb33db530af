import type { ErrorReply } from '../api.js';

/** A request the server refused, with its one-line reason. */
export class ServerError extends Error {}

/** Fetches JSON from the server; a refusal becomes a ServerError with the server's message. */
export async function fetchJson<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  const body = (await response.json()) as T | ErrorReply;
  if (!response.ok) {
    const message = (body as ErrorReply).error ?? `${response.status} ${response.statusText}`;
    throw new ServerError(message);
  }
  return body as T;
}

/** The element with this id; the page's HTML always has it. */
export function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page lacks #${id}`);
  return found as T;
}

/** A new element with a class and text. */
export function make<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className = '',
  text = '',
): HTMLElementTagNameMap[K] {
  const made = document.createElement(tag);
  if (className) made.className = className;
  if (text) made.textContent = text;
  return made;
}
