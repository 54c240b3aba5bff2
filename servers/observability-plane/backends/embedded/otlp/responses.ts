import type { Request, Response } from 'express';
import { encodeStatus, type Encoding } from './codec.js';
import { discardRest } from './request-body.js';

/** Sends a protobuf message or a JSON value. */
export function send(res: Response, encoding: Encoding, status: number, body: Uint8Array | object): void {
  res.status(status);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (encoding === 'protobuf') {
    res.type('application/x-protobuf').send(Buffer.from(body as Uint8Array));
  } else {
    res.type('application/json').send(JSON.stringify(body));
  }
}

/** Answers an error with a `google.rpc.Status`, after arranging for the unread body to be discarded. */
export function fail(req: Request, res: Response, encoding: Encoding, status: number, message: string): void {
  discardRest(req, res);
  send(res, encoding, status, encodeStatus(encoding, status, message));
}
