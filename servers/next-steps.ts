/** What a person needs after `npm start`: where the servers are and how to connect an assistant. */
export function printNextSteps(urls: { issuer: string; controlPlane: URL; observabilityPlane: URL; authDisabled?: boolean }): void {
  const cp = urls.controlPlane.href;
  const op = urls.observabilityPlane.href;
  if (urls.authDisabled) {
    process.stderr.write(
      `\nplane-mcp is running WITH AUTHENTICATION DISABLED (development only, loopback only).\n  control plane MCP     ${cp}\n  observability MCP     ${op}\nEvery request acts as user:local-developer (group platform-admins). Do not expose these ports.\n\n`,
    );
    return;
  }
  process.stderr.write(`
plane-mcp is running.

  identity provider     ${urls.issuer}   (dev users: admin, platform, dev, sre, viewer; password = user name)
                        applications you allowed: ${urls.issuer}/consents
  control plane MCP     ${cp}
  observability MCP     ${op}

Claude Code (browser login):
  claude mcp add --transport http plane-control ${cp}
  claude mcp add --transport http plane-observability ${op}

Cursor (~/.cursor/mcp.json, browser login):
  { "mcpServers": { "plane-control": { "url": "${cp}" }, "plane-observability": { "url": "${op}" } } }

A client-credentials token for automation (seeded clients: ci-deployer, sre-agent, finops-agent, readonly-assistant):
  npm run -s token -- --client ci-deployer --server control-plane

`);
}
