import type * as z from 'zod';
import type { AccessAttributes, PolicyEngine, ResourceRef } from '../authz/policy-engine.js';
import type { Subject } from '../auth/subject.js';

/** What a tool does to the world; the MCP annotations, `--read-only` and `--no-destructive` all derive from it. */
export type ToolKind = 'read' | 'write' | 'destructive';

/** The resource a call acts on, and the attributes the policy's conditions read. */
export interface AccessTarget {
  resource: ResourceRef;
  attributes?: AccessAttributes;
}

/**
 * What a tool's `target` returns: the access target and, when building it meant reading an object,
 * that object as `loaded`, which the handler receives instead of reading it again. A target that
 * loads must say so on every path (`loaded: undefined` where it read nothing).
 */
export type AuthorizedTarget<Loaded> = AccessTarget & (undefined extends Loaded ? { loaded?: Loaded } : { loaded: Loaded });

/** What a handler sees besides its input. `Deps` are the server's adapters (stores, backends). */
export interface ToolContext<Deps> {
  subject: Subject;
  /** The OAuth client that obtained the token. */
  clientId: string;
  scopes: readonly string[];
  deps: Deps;
  /**
   * Check another action on another resource for the same caller, e.g. to filter list items: exactly
   * `policy.decide(...).allowed`, but each action is prepared once per call (`policy.prepare`), so a
   * check per item is cheap. Throws `InvalidResourceNameError` for a bad name, like `decide`.
   */
  isAllowed(action: string, target: AccessTarget): boolean;
  /** The shared policy, for tools that describe or explain access. */
  policy: PolicyEngine;
  /** Names of the tools on this server the caller may use. */
  visibleTools(): string[];
  /** When the caller's token expires (seconds since epoch). */
  tokenExpiresAt?: number;
  signal?: AbortSignal;
}

/**
 * How a call is authorized. Every tool names its Casbin action and how to build the resource from its
 * input; only tools that describe the caller to itself (whoami) are `callerOnly`, and must say why.
 */
export type ToolAuthorization<Input, Deps, Loaded = undefined> =
  | {
      action: string;
      target: (input: Input, context: ToolContext<Deps>) => AuthorizedTarget<Loaded> | Promise<AuthorizedTarget<Loaded>>;
      /**
       * For list tools: the call is allowed when the caller could hold the action at or below the
       * target (a grant on one project lets it list that project), and the handler must check every
       * item with `context.isAllowed` and return only those.
       */
      filtersItems?: true;
    }
  | { callerOnly: true; reason: string };

/** `Loaded` is what the authorization target read for the handler (see `AuthorizedTarget`); none by default. */
export interface ToolDefinition<Input extends z.ZodObject, Output extends z.ZodObject, Deps, Loaded = undefined> {
  /** snake_case, OpenChoreo's name where it has the same tool. */
  name: string;
  title: string;
  /** One or two short sentences: the catalogue is part of every caller's context window. */
  description: string;
  toolset: string;
  kind: ToolKind;
  /** Repeating the call with the same input has no further effect (reads are always idempotent). */
  idempotent?: boolean;
  /** The tool reaches outside the platform's own state (an external backend). */
  openWorld?: boolean;
  /** The OAuth scope a token must carry. */
  scope: string;
  input: Input;
  output: Output;
  authorization: ToolAuthorization<z.infer<Input>, Deps, Loaded>;
  /** `loaded` is the object the authorization target read (undefined when it read none). */
  handler: (input: z.infer<Input>, context: ToolContext<Deps>, loaded: Loaded) => Promise<z.infer<Output>>;
  /** A compact text form of the result for clients that ignore structured content; JSON otherwise. */
  summarize?: (output: z.infer<Output>) => string;
}

/** A tool of any shape, as the registry stores it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyToolDefinition<Deps> = ToolDefinition<z.ZodObject<any>, z.ZodObject<any>, Deps, any>;

/** Identity function: it exists so a tool's input type (and what its target loaded) flows into its handler. */
export function defineTool<Input extends z.ZodObject, Output extends z.ZodObject, Deps, Loaded = undefined>(
  definition: ToolDefinition<Input, Output, Deps, Loaded>,
): ToolDefinition<Input, Output, Deps, Loaded> {
  return definition;
}

export function annotationsOf(tool: { kind: ToolKind; idempotent?: boolean; openWorld?: boolean; title: string }) {
  return {
    title: tool.title,
    readOnlyHint: tool.kind === 'read',
    destructiveHint: tool.kind === 'destructive',
    idempotentHint: tool.kind === 'read' || tool.idempotent === true,
    openWorldHint: tool.openWorld === true,
  };
}
