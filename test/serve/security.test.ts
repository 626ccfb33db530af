import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { hostPolicy, isAllowedHost, isLoopback } from '../../src/serve/security.js';

describe('which Host headers the server answers', () => {
  it('bound to loopback: only loopback names with the right port', () => {
    const policy = hostPolicy('127.0.0.1', 8080);
    for (const host of ['127.0.0.1:8080', 'localhost:8080', 'LOCALHOST:8080', '[::1]:8080']) {
      expect(isAllowedHost(host, policy), host).toBe(true);
    }
    for (const host of [
      'attacker.example:8080',
      '192.168.1.5:8080',
      '127.0.0.1:8081',
      '127.0.0.1',
      'localhost.attacker.example:8080',
      '127.0.0.1:8080@evil',
      undefined,
    ]) {
      expect(isAllowedHost(host, policy), String(host)).toBe(false);
    }
  });

  it('bound to every interface: any IP address and this machine’s name, but no other name', () => {
    const policy = hostPolicy('0.0.0.0', 80);
    expect(isAllowedHost('192.168.1.5', policy)).toBe(true);
    expect(isAllowedHost('[fe80::1]:80', policy)).toBe(true);
    expect(isAllowedHost(`${hostname()}:80`, policy)).toBe(true);
    expect(isAllowedHost('rebind.attacker.example', policy)).toBe(false);
  });

  it('tells loopback addresses from others', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) {
      expect(isLoopback(host), host).toBe(true);
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.5', 'example.com']) {
      expect(isLoopback(host), host).toBe(false);
    }
  });
});
