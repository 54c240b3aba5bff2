/** The roles and bindings in force, as listing tools show them. */
import type { CompiledPolicy } from './compile-policy.js';

export interface RoleInfo {
  name: string;
  description: string;
  actions: string[];
  internal: boolean;
}

export interface BindingInfo {
  name: string;
  role: string;
  subjects: string[];
  scope: string;
  effect: 'allow' | 'deny';
  when?: string;
  description?: string;
}

export function listRoles(policy: CompiledPolicy): RoleInfo[] {
  return [...policy.source.roles.values()].map((r) => ({
    name: r.name,
    description: r.description,
    actions: [...r.actions],
    internal: r.internal,
  }));
}

export function listBindings(policy: CompiledPolicy): BindingInfo[] {
  return policy.source.bindings.map((b) => {
    const info: BindingInfo = { name: b.name, role: b.role, subjects: [...b.subjects], scope: b.path, effect: b.effect };
    if (b.condition) info.when = b.condition.text;
    if (b.description !== undefined) info.description = b.description;
    return info;
  });
}
