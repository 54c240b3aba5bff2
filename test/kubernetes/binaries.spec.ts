import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findHelm, findKubernetesBinaries, KubernetesBinariesMissingError } from '../support/kubernetes.js';
import { requiredGoModuleVersion, toolsBinRoot } from '../support/kubernetes/binaries.js';

/** Finding the test binaries: the same cache folder as .ci/lib/go-tools.sh, and instructions (never a skip) when they are missing. */

describe('Kubernetes test binaries', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of ['PLANE_TEST_KUBE_BIN', 'PLANE_TEST_HELM', 'PLANE_TOOLS_CACHE']) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  it('reads the versions from the go.mod files the build scripts use', () => {
    expect(requiredGoModuleVersion('.ci/kubernetes', 'k8s.io/kubernetes')).toBe('v1.37.2');
    expect(requiredGoModuleVersion('.ci/helm', 'helm.sh/helm/v4')).toBe('v4.3.2');
    expect(() => requiredGoModuleVersion('.ci/helm', 'k8s.io/kubernetes')).toThrow(/does not require k8s.io\/kubernetes/);
  });

  it('looks in $PLANE_TOOLS_CACHE, else $XDG_CACHE_HOME/plane-mcp, else ~/.cache/plane-mcp', () => {
    expect(toolsBinRoot({ PLANE_TOOLS_CACHE: '/cache/tools', XDG_CACHE_HOME: '/xdg' })).toBe('/cache/tools/bin');
    expect(toolsBinRoot({ XDG_CACHE_HOME: '/xdg' })).toBe('/xdg/plane-mcp/bin');
    expect(toolsBinRoot({})).toMatch(/\/\.cache\/plane-mcp\/bin$/);
  });

  it('finds the built kube-apiserver and kubectl', () => {
    const binaries = findKubernetesBinaries();
    expect(binaries.kubeApiServer).toContain(`kubernetes-${binaries.version}`);
    expect(binaries.kubectl).toContain(`kubernetes-${binaries.version}`);
  });

  it('says how to build them when they are missing', () => {
    const empty = mkdtempSync(join(tmpdir(), 'plane-no-kube-'));
    try {
      process.env.PLANE_TEST_KUBE_BIN = empty;
      process.env.PLANE_TEST_HELM = join(empty, 'helm');
      expect(() => findKubernetesBinaries()).toThrow(KubernetesBinariesMissingError);
      expect(() => findKubernetesBinaries()).toThrow(
        /kube-apiserver, .*kubectl\. To get them, run `bash \.ci\/setup\.d\/50-kubernetes\.sh`/,
      );
      expect(() => findHelm()).toThrow(/60-helm\.sh/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
