import type { ServerName } from '../format.js';

/** The server names the README tells people to give their assistant; Claude Code shows tools as `mcp__<name>__<tool>`. */
export const MCP_SERVER_NAMES: Record<ServerName, string> = {
  'control-plane': 'plane-control',
  'observability-plane': 'plane-observability',
};
export const SERVER_NAMES = Object.keys(MCP_SERVER_NAMES) as ServerName[];
