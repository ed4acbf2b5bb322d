/**
 * The ports the fetch standard blocks ("bad ports": SMTP, IRC, X11 and other protocols a crafted
 * HTTP request could speak to). `http` tasks refuse them, their redirect hops included: the
 * first URL before sending, each hop when it connects (guarded-transport.ts).
 */
const BLOCKED_PORTS: ReadonlySet<number> = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104,
  109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515,
  526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049,
  3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/** A connection refused for its port (code BAD_PORT). */
export class BlockedPortError extends Error {
  readonly code = 'BAD_PORT';

  constructor(readonly port: number) {
    super(`port ${port} is blocked by the fetch standard`);
    this.name = 'BlockedPortError';
  }
}

/** Whether a port (as a number or a URL's port text) is one the fetch standard blocks. */
export function isBlockedPort(port: number | string): boolean {
  return BLOCKED_PORTS.has(Number(port));
}

/** The URL's port when it is blocked (an explicit one: the schemes' defaults are not). */
export function blockedPort(url: string): number | undefined {
  const port = new URL(url).port;
  return port !== '' && isBlockedPort(port) ? Number(port) : undefined;
}
