import { Agent, request } from 'node:http';

/** What a GET on a {@link KeepAliveConnection} answered. */
export interface KeepAliveAnswer {
  status: number;
  /** The request went out on the connection an earlier request had used. */
  reused: boolean;
}

/**
 * One HTTP/1.1 keep-alive connection to a server on 127.0.0.1 (an agent with a single socket):
 * every request shares it, so a test can tell whether the server kept the connection open after
 * an answer (say, a 500 from a handler that threw).
 */
export class KeepAliveConnection {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });

  get(port: number, path: string): Promise<KeepAliveAnswer> {
    const agent = this.agent;
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** Closes the connection. */
  close(): void {
    this.agent.destroy();
  }
}
