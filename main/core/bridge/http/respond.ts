// The bridge's own answers (refusals and failures), always JSON with a length.
import type http from 'node:http';
import { HTTP_BRIDGE_ERROR, errorBody } from './errors';

export function send(res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const data = Buffer.from(body, 'utf8');
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(data.length), 'cache-control': 'no-store', ...headers });
  res.end(data);
}

export function refuse(res: http.ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  send(res, status, errorBody(HTTP_BRIDGE_ERROR.refused, message), headers);
}
