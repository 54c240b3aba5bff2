import type { ResourceStore } from './store/resource-store.js';

/** The adapters control-plane tools use, chosen at start-up by the composition root (`control-plane.ts`). */
export interface ControlPlaneDeps {
  store: ResourceStore;
}
