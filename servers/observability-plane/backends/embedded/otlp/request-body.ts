import { promisify } from 'node:util';
import { gunzip, inflate, type InputType, type ZlibOptions } from 'node:zlib';
import type { Request } from 'express';
import { OtlpHttpError } from './http-error.js';

const gunzipAsync = promisify(gunzip) as (buffer: InputType, options: ZlibOptions) => Promise<Buffer>;
const inflateAsync = promisify(inflate) as (buffer: InputType, options: ZlibOptions) => Promise<Buffer>;

const CODINGS = ['identity', 'gzip', 'x-gzip', 'deflate', ''];

/** The request's `Content-Encoding`, lower-cased; undefined when it is not one we decode. */
export function contentCodingOf(header: string | string[] | undefined): string | undefined {
  const coding = String(header ?? 'identity')
    .trim()
    .toLowerCase();
  return CODINGS.includes(coding) ? coding : undefined;
}

/** Reads the body, refusing (413) more than `max` bytes; the rest of an oversized body is discarded. */
export function readBody(req: Request, max: number): Promise<Buffer> {
  const parsed: unknown = (req as { body?: unknown }).body;
  if (Buffer.isBuffer(parsed) && req.readableEnded) {
    if (parsed.length > max) return Promise.reject(new OtlpHttpError(413, `request body exceeds ${max} bytes`));
    return Promise.resolve(parsed);
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) return Promise.reject(new OtlpHttpError(413, `request body exceeds ${max} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        cleanup();
        reject(new OtlpHttpError(413, `request body exceeds ${max} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/** Undoes gzip or deflate, refusing (413) more than `max` decompressed bytes and (400) corrupt data. */
export async function decompress(body: Buffer, coding: string, max: number): Promise<Buffer> {
  if (coding !== 'gzip' && coding !== 'x-gzip' && coding !== 'deflate') return body;
  try {
    return await (coding === 'deflate' ? inflateAsync : gunzipAsync)(body, { maxOutputLength: max });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      throw new OtlpHttpError(413, `decompressed request body exceeds ${max} bytes`);
    }
    throw new OtlpHttpError(400, `request body is not valid ${coding} data`);
  }
}

/** Discards what is left of a request body (bounded), so an early answer does not stall the client. */
export function discardRest(req: Request, res: { setHeader(name: string, value: string): unknown }): void {
  if (req.readableEnded) return;
  res.setHeader('Connection', 'close');
  let discarded = 0;
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > 64 * 1024 * 1024) req.destroy();
  });
  req.resume();
}
