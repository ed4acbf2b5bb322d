/**
 * Why the HTTP listener could not be bound, in words that name the setting to change. Node's own
 * message (`listen EADDRINUSE: address already in use 127.0.0.1:8080`) names neither.
 */
export class ListenError extends Error {
  override name = 'ListenError';
}

export function listenError(error: unknown, host: string, port: number): Error {
  const code = (error as { code?: unknown }).code;
  const where = `${host}:${port}`;
  switch (code) {
    case 'EADDRINUSE':
      return new ListenError(
        `port ${port} is already in use on ${host} (another Kairos or another program listens there): ` +
          'stop it, or choose another port with PORT / --port',
        { cause: error },
      );
    case 'EACCES':
      return new ListenError(
        `not allowed to listen on ${where} (ports below 1024 need privileges): ` +
          'choose another port with PORT / --port',
        { cause: error },
      );
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new ListenError(
        `${host} is not an address of this machine: fix HOST / --host (127.0.0.1, or 0.0.0.0 for every interface)`,
        { cause: error },
      );
    default:
      return error instanceof Error ? error : new Error(String(error));
  }
}
