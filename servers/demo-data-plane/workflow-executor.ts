import { PLATFORM_LABELS } from '../../shared/telemetry/conventions.js';
import type { Logger } from '../../shared/telemetry/logger.js';
import { cutRelease } from '../control-plane/domain/releases.js';
import type { WorkflowRun } from '../control-plane/domain/resources.js';
import type { Actor, ResourceStore } from '../control-plane/store/resource-store.js';
import { ResourceExistsError, ResourceNotFoundError } from '../control-plane/store/store-errors.js';
import type { LogLine } from '../observability-plane/backends/telemetry-backend.js';
import { autoDeploy } from './auto-deploy.js';
import { listNamespaces } from './desired-state.js';
import { isoMicros } from './random.js';
import { buildParameters } from './source-repositories.js';
import type { TelemetryBatch } from './telemetry-batch.js';
import { planTask, type TaskContext, type TaskLine, type TaskPlan } from './workflow-tasks.js';

/**
 * Runs WorkflowRuns: picks up Pending and Running ones (oldest first, a bounded number per tick), runs
 * their tasks in order, each for a few ticks, prints each task's log lines as workflow logs (run and
 * task labelled, so `query_workflow_logs` finds them on either backend), and records task and run
 * phases, times and messages through `store.modify`. A failing task fails the run with its message
 * and the remaining tasks are Skipped. A successful build cuts a ComponentRelease named after the run
 * (image `registry.plane.local/<component>:<run>`), records it as the run's `releaseName`, and with
 * `autoDeploy` binds it in the first environment of the project's pipeline.
 *
 * Progress lives in memory; after a restart a Running task starts over (its log lines repeat).
 */
export interface WorkflowExecutorOptions {
  store: ResourceStore;
  actor: Actor;
  logger: Pick<Logger, 'warn' | 'info'>;
  /** Ticks per task (build-image takes twice as long). */
  taskDurationTicks: number;
  /** Runs advanced per tick; the others wait. */
  maxActiveRuns: number;
}

type RunStatus = NonNullable<WorkflowRun['status']>;
type TaskStatus = RunStatus['tasks'][number];

interface Progress {
  task: string;
  ticks: number;
  plan: TaskPlan;
  emitted: number;
}

const PAGE = 200;

export class WorkflowExecutor {
  private readonly progress = new Map<string, Progress>();

  constructor(private readonly options: WorkflowExecutorOptions) {}

  async step(now: Date, batch: TelemetryBatch): Promise<void> {
    const runs = await this.activeRuns();
    const active = new Set(runs.map(runKey));
    for (const key of [...this.progress.keys()]) if (!active.has(key)) this.progress.delete(key);
    for (const run of runs) {
      try {
        await this.advance(run, now, batch);
      } catch (error) {
        if (error instanceof ResourceNotFoundError && error.kind === 'WorkflowRun') {
          this.progress.delete(runKey(run));
          continue;
        }
        this.options.logger.warn({ err: error, run: runKey(run) }, 'demo data plane: could not advance workflow run');
      }
    }
  }

  /** Pending and Running runs of every namespace, oldest first, at most `maxActiveRuns`. */
  private async activeRuns(): Promise<WorkflowRun[]> {
    const runs: WorkflowRun[] = [];
    for (const namespace of await listNamespaces(this.options.store)) {
      let after: string | undefined;
      do {
        const page = await this.options.store.list({ kind: 'WorkflowRun', namespace, limit: PAGE, ...(after ? { after } : {}) });
        runs.push(...page.items.filter((run) => ['Pending', 'Running'].includes(run.status?.phase ?? 'Pending')));
        after = page.next;
      } while (after);
    }
    return runs.sort((a, b) => (a.metadata.createdAt ?? '').localeCompare(b.metadata.createdAt ?? '')).slice(0, this.options.maxActiveRuns);
  }

  private async advance(run: WorkflowRun, now: Date, batch: TelemetryBatch): Promise<void> {
    const { store } = this.options;
    const namespace = run.metadata.namespace!;
    const key = runKey(run);
    let tasks: TaskStatus[] = run.status?.tasks ?? [];
    if (tasks.length === 0) {
      const workflow = await store.get('Workflow', namespace, run.spec.workflow.name);
      if (!workflow) {
        await this.finish(run, now, { failed: true, message: `workflow ${run.spec.workflow.name} not found in namespace ${namespace}` });
        return;
      }
      tasks = workflow.spec.tasks.map((task) => ({ name: task.name, phase: 'Pending' as const }));
    }
    const index = tasks.findIndex((task) => task.phase === 'Pending' || task.phase === 'Running');
    if (index < 0) {
      // Every task ended but the run did not (a restart between writes): settle it.
      const failed = tasks.find((task) => task.phase === 'Failed');
      await this.finish(
        run,
        now,
        failed
          ? { failed: true, failedTask: failed.name, message: `${failed.name} failed: ${failed.message ?? 'see the logs'}` }
          : { failed: false, message: run.status?.message ?? 'All tasks succeeded.' },
      );
      return;
    }
    const task = tasks[index]!;
    const context = taskContext(run);
    let progress = this.progress.get(key);
    if (!progress || progress.task !== task.name) {
      progress = { task: task.name, ticks: 0, plan: planTask(task.name, context, this.options.taskDurationTicks), emitted: 0 };
      this.progress.set(key, progress);
      const time = now.toISOString();
      await this.updateStatus(run, (status) => {
        const current = status.tasks.length ? status.tasks : tasks;
        return {
          ...status,
          phase: 'Running',
          startedAt: status.startedAt ?? time,
          tasks: current.map((item) =>
            item.name === task.name ? { ...item, phase: 'Running' as const, startedAt: item.startedAt ?? time } : item,
          ),
        };
      });
    }
    progress.ticks++;
    const { plan } = progress;
    const upTo = Math.min(plan.lines.length, Math.ceil((plan.lines.length * progress.ticks) / plan.ticks));
    this.emit(batch, run, task.name, plan.lines.slice(progress.emitted, upTo), now, 10_000);
    progress.emitted = upTo;
    if (progress.ticks < plan.ticks) return;

    this.progress.delete(key);
    if (plan.failure !== undefined) {
      await this.failTask(run, task.name, plan.failure, now);
      return;
    }
    let message = plan.success;
    let releaseName: string | undefined;
    if (task.name === 'generate-workload' || task.name === 'generate-workload-cr') {
      try {
        const outcome = await this.release(run, context);
        this.emit(batch, run, task.name, outcome.lines, now);
        message = outcome.message;
        releaseName = outcome.releaseName;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        this.emit(batch, run, task.name, [{ level: 'ERROR', message: `ERROR ${reason}` }], now);
        await this.failTask(run, task.name, reason, now);
        return;
      }
    }
    const time = now.toISOString();
    const last = index === tasks.length - 1;
    await this.updateStatus(run, (status) => {
      const current = status.tasks.length ? status.tasks : tasks;
      return {
        ...status,
        tasks: current.map((item) =>
          item.name === task.name ? { ...item, phase: 'Succeeded' as const, completedAt: time, message } : item,
        ),
        ...(releaseName ? { releaseName } : {}),
        ...(last
          ? {
              phase: 'Succeeded' as const,
              completedAt: time,
              message: releaseName ? `Image built and pushed; released as ${releaseName}.` : 'All tasks succeeded.',
            }
          : {}),
      };
    });
  }

  /** generate-workload: cut the release and (autoDeploy) bind it. */
  private async release(run: WorkflowRun, context: TaskContext): Promise<{ lines: TaskLine[]; message: string; releaseName?: string }> {
    const { store, actor } = this.options;
    const namespace = run.metadata.namespace!;
    if (!context.component) {
      return {
        lines: [{ level: 'INFO', message: 'no component owns this run: the image was published, no release was cut' }],
        message: 'image published; no component, so no release',
      };
    }
    const component = await store.get('Component', namespace, context.component);
    if (!component) throw new Error(`component ${context.component} not found in namespace ${namespace}`);
    let release;
    try {
      release = await cutRelease(store, component, actor, context.image, run.metadata.name);
    } catch (error) {
      if (!(error instanceof ResourceExistsError)) throw error;
      release = await cutRelease(store, component, actor, context.image);
    }
    const lines: TaskLine[] = [{ level: 'INFO', message: `created component release ${release.metadata.name} (image ${context.image})` }];
    const deployed = await autoDeploy(store, component, release, actor);
    lines.push({ level: 'INFO', message: deployed.message });
    return { lines, message: `released as ${release.metadata.name}; ${deployed.message}`, releaseName: release.metadata.name };
  }

  private async failTask(run: WorkflowRun, taskName: string, reason: string, now: Date): Promise<void> {
    await this.finish(run, now, { failed: true, failedTask: taskName, message: `${taskName} failed: ${reason}`, taskMessage: reason });
  }

  /** End the run: Succeeded without `failedTask`, else Failed; tasks after the failed one are Skipped. */
  private async finish(
    run: WorkflowRun,
    now: Date,
    outcome: { failed: boolean; failedTask?: string; message: string; taskMessage?: string },
  ): Promise<void> {
    const time = now.toISOString();
    const { failed } = outcome;
    await this.updateStatus(run, (status) => {
      let seenFailure = false;
      const tasks = status.tasks.map((item): TaskStatus => {
        if (item.name === outcome.failedTask) {
          seenFailure = true;
          return {
            ...item,
            phase: 'Failed',
            startedAt: item.startedAt ?? time,
            completedAt: time,
            message: outcome.taskMessage ?? item.message,
          };
        }
        if (failed && (seenFailure || item.phase === 'Pending' || item.phase === 'Running') && item.phase !== 'Succeeded') {
          return { ...item, phase: 'Skipped', message: outcome.failedTask ? `skipped: ${outcome.failedTask} failed` : 'skipped' };
        }
        return item;
      });
      return {
        ...status,
        phase: failed ? 'Failed' : 'Succeeded',
        startedAt: status.startedAt ?? time,
        completedAt: time,
        message: outcome.message,
        tasks,
      };
    });
    this.options.logger.info(
      { run: runKey(run), phase: failed ? 'Failed' : 'Succeeded', message: outcome.message },
      'demo data plane: workflow run finished',
    );
  }

  private async updateStatus(run: WorkflowRun, change: (status: RunStatus) => RunStatus): Promise<void> {
    await this.options.store.modify(
      'WorkflowRun',
      run.metadata.namespace!,
      run.metadata.name,
      this.options.actor,
      (current) => ({ ...current, status: change(current.status ?? { phase: 'Pending', tasks: [] }) }),
      { statusReport: true },
    );
  }

  /** Lines end `beforeUs` before `now`, 1 ms apart, so later lines of the same tick sort after them. */
  private emit(batch: TelemetryBatch, run: WorkflowRun, task: string, lines: readonly TaskLine[], now: Date, beforeUs = 0): void {
    if (lines.length === 0) return;
    const owner = ownerOf(run);
    const end = now.getTime() * 1000 - beforeUs;
    batch.logs.push(
      ...lines.map((line, index): LogLine => ({
        timestamp: isoMicros(end - (lines.length - 1 - index) * 1000),
        level: line.level,
        message: line.message,
        namespace: run.metadata.namespace!,
        ...(owner.project ? { project: owner.project } : {}),
        ...(owner.component ? { component: owner.component } : {}),
        runName: run.metadata.name,
        task,
        pod: `${run.metadata.name}-${task}`.slice(0, 63),
        container: 'main',
      })),
    );
  }
}

function runKey(run: WorkflowRun): string {
  return `${run.metadata.namespace}/${run.metadata.name}`;
}

/** The owning project and component: the trusted spec field, else the OpenChoreo labels. */
function ownerOf(run: WorkflowRun): { project?: string; component?: string } {
  const labels = run.metadata.labels ?? {};
  const project = run.spec.owner?.projectName ?? labels[PLATFORM_LABELS.project];
  const component = run.spec.owner?.componentName ?? labels[PLATFORM_LABELS.component];
  return { ...(project ? { project } : {}), ...(component ? { component } : {}) };
}

function taskContext(run: WorkflowRun): TaskContext {
  const { component } = ownerOf(run);
  const image = `registry.plane.local/${component ?? run.metadata.name}:${run.metadata.name}`;
  return {
    runName: run.metadata.name,
    ...(component ? { component } : {}),
    parameters: buildParameters(run.spec.workflow.parameters),
    image,
  };
}
