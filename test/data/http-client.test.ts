import { describe, expect, it } from 'vitest';
import { bypassesProxy, proxyFor, proxySettingsFromEnv } from '../../src/data/http-client.js';

describe('proxySettingsFromEnv', () => {
  it('reads the usual variables, lower-case names first, ignoring empty ones', () => {
    const settings = proxySettingsFromEnv({
      HTTP_PROXY: 'http://upper:1',
      http_proxy: 'http://lower:1',
      HTTPS_PROXY: '',
      NO_PROXY: 'localhost',
    });
    expect(settings).toEqual({
      httpProxy: 'http://lower:1',
      httpsProxy: undefined,
      noProxy: 'localhost',
    });
  });
});

describe('bypassesProxy', () => {
  const cases: [string, string, boolean][] = [
    ['https://storage.googleapis.com/x', '', false],
    ['https://storage.googleapis.com/x', '*', true],
    ['https://storage.googleapis.com/x', 'googleapis.com', false],
    ['https://storage.googleapis.com/x', '.googleapis.com', true],
    ['https://storage.googleapis.com/x', '*.googleapis.com', true],
    ['https://storage.googleapis.com/x', 'a.org, storage.googleapis.com', true],
    ['https://storage.googleapis.com/x', 'storage.googleapis.com:8443', false],
    ['https://storage.googleapis.com/x', 'storage.googleapis.com:443', true],
    ['http://127.0.0.1:8080/x', '127.0.0.1:8080', true],
    ['http://[::1]:8080/x', '[::1]', true],
  ];
  it.each(cases)('%s with NO_PROXY=%j → %s', (url, noProxy, expected) => {
    expect(bypassesProxy(new URL(url), noProxy)).toBe(expected);
  });
});

describe('proxyFor', () => {
  it('uses HTTPS_PROXY for https, falling back to HTTP_PROXY, and nothing for NO_PROXY hosts', () => {
    const both = { httpProxy: 'http://p:1', httpsProxy: 'http://s:2', noProxy: 'local.test' };
    expect(proxyFor(new URL('https://a.test/'), both)).toBe('http://s:2');
    expect(proxyFor(new URL('http://a.test/'), both)).toBe('http://p:1');
    expect(proxyFor(new URL('https://a.test/'), { httpProxy: 'http://p:1' })).toBe('http://p:1');
    expect(proxyFor(new URL('https://local.test/'), both)).toBeUndefined();
    expect(proxyFor(new URL('https://a.test/'), {})).toBeUndefined();
  });
});
