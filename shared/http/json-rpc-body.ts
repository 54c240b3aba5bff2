import { isJsonContentType } from '@modelcontextprotocol/server';
import express, { type RequestHandler } from 'express';
import { JSON_RPC, sendJsonRpcError } from './json-rpc-errors.js';

/** The largest MCP request body read, in bytes (tool arguments are small; the biggest is an env list). */
export const MAX_BODY_BYTES = 1024 * 1024;
/** How deep arrays and objects may nest in a request body (envelope, params, arguments and their values). */
export const MAX_JSON_DEPTH = 32;
/** The protocol revisions that still allow JSON-RPC batches; 2025-06-18 removed them. */
const BATCHING_PROTOCOL_VERSIONS = new Set(['2024-11-05', '2025-03-26']);

/**
 * Read the MCP request body (mounted after the bearer gate, so an anonymous caller never gets a body
 * read): JSON only (what the SDK accepts as JSON), at most `MAX_BODY_BYTES`. A body that is too large or
 * not JSON is answered here with a JSON-RPC error; the body itself is never logged or echoed.
 */
export function readJsonRpcBody(): RequestHandler {
  const parse = express.json({ limit: MAX_BODY_BYTES, type: (req) => isJsonContentType(String(req.headers['content-type'] ?? '')) });
  return (req, res, next) => {
    parse(req, res, (error?: unknown) => {
      if (error === undefined) {
        next();
        return;
      }
      const type = (error as { type?: unknown }).type;
      if (type === 'entity.too.large') {
        sendJsonRpcError(res, 413, JSON_RPC.invalidRequest, `Invalid Request: the body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MB`);
      } else if (type === 'charset.unsupported' || type === 'encoding.unsupported') {
        sendJsonRpcError(res, 415, JSON_RPC.invalidRequest, 'Invalid Request: unsupported body encoding or charset');
      } else {
        sendJsonRpcError(res, 400, JSON_RPC.parseError, 'Parse error: the body is not valid JSON');
      }
    });
  };
}

/**
 * Refuse, before the SDK sees it, a parsed body that no supported protocol allows or that could
 * exhaust the stack: JSON-RPC batches when the request's protocol revision forbids them (or when a batch
 * carries `initialize`, which may never be batched), and nesting deeper than `MAX_JSON_DEPTH`.
 */
export function guardJsonRpcBody(): RequestHandler {
  return (req, res, next) => {
    const body: unknown = req.body;
    const protocolVersion = req.headers['mcp-protocol-version'];
    if (Array.isArray(body)) {
      const revision = typeof protocolVersion === 'string' ? protocolVersion : undefined;
      if (revision !== undefined && !BATCHING_PROTOCOL_VERSIONS.has(revision)) {
        sendJsonRpcError(res, 400, JSON_RPC.invalidRequest, 'Invalid Request: JSON-RPC batches are not allowed after protocol 2025-03-26');
        return;
      }
      if (body.some((message) => isObject(message) && message.method === 'initialize')) {
        sendJsonRpcError(res, 400, JSON_RPC.invalidRequest, 'Invalid Request: initialize must not be part of a JSON-RPC batch');
        return;
      }
    }
    if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
      const id = requestIdOf(body);
      if (id !== null && isObject(body) && nestsDeeperThan(body.params, MAX_JSON_DEPTH - 1)) {
        sendJsonRpcError(
          res,
          400,
          JSON_RPC.invalidParams,
          `Invalid params: arrays and objects nest deeper than ${MAX_JSON_DEPTH} levels`,
          id,
        );
      } else {
        sendJsonRpcError(
          res,
          400,
          JSON_RPC.invalidRequest,
          `Invalid Request: arrays and objects nest deeper than ${MAX_JSON_DEPTH} levels`,
          id,
        );
      }
      return;
    }
    next();
  };
}

/** Whether arrays and objects in `value` nest more than `limit` levels. Iterative, so no body can overflow the stack. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: Array<{ item: unknown; depth: number }> = [{ item: value, depth: 1 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (next.item === null || typeof next.item !== 'object') continue;
    if (next.depth > limit) return true;
    for (const child of Object.values(next.item)) pending.push({ item: child, depth: next.depth + 1 });
  }
  return false;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The id to answer with: a single request's string or number id, else null (JSON-RPC 2.0 §5). */
function requestIdOf(body: unknown): string | number | null {
  if (!isObject(body) || typeof body.method !== 'string') return null;
  return typeof body.id === 'string' || typeof body.id === 'number' ? body.id : null;
}
