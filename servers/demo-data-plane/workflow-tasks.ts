import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { LogLevel } from '../observability-plane/backends/telemetry-backend.js';
import { baseImage, checkoutProblem, commitOf, fileExists, knownRepository, type BuildParameters } from './source-repositories.js';

/**
 * What each task of the `dockerfile-builder` workflow does in the simulation: the log lines it prints
 * (spread over the task's ticks), how long it takes, and whether it fails — decided up front from the
 * run's parameters, as a real build would decide by reading the repository:
 *
 * - checkout-source clones `<repository>@<branch>`; fails when no repository is given or a known
 *   repository has no such branch;
 * - build-image runs `docker build` with the context and Dockerfile; fails after one tick with
 *   `ERROR failed to read dockerfile: open <path>: no such file or directory` when the Dockerfile
 *   does not exist (see source-repositories.ts for which paths exist);
 * - publish-image pushes `registry.plane.local/<component>:<run>`;
 * - generate-workload writes the workload and cuts the release (the executor does that part).
 *
 * Tasks of other workflows run for the same time and just succeed.
 */
export interface TaskContext {
  runName: string;
  component?: string;
  parameters: BuildParameters;
  image: string;
}

export interface TaskLine {
  level: LogLevel;
  message: string;
}

export interface TaskPlan {
  ticks: number;
  lines: TaskLine[];
  /** Set when the task fails: the task's (and the run's) message. */
  failure?: string;
  /** Shown as the task's message on success. */
  success: string;
}

const info = (message: string): TaskLine => ({ level: 'INFO', message });

export function imageDigest(image: string): string {
  return `sha256:${createHash('sha256').update(image).digest('hex')}`;
}

export function planTask(task: string, context: TaskContext, durationTicks: number): TaskPlan {
  switch (task) {
    case 'checkout-source':
      return checkoutSource(context, durationTicks);
    case 'build-image':
      return buildImage(context, durationTicks);
    case 'publish-image':
      return publishImage(context, durationTicks);
    case 'generate-workload':
    case 'generate-workload-cr':
      return {
        ticks: durationTicks,
        lines: [
          info(`reading workload descriptor ${posix.join(context.parameters.appPath, 'workload.yaml')}`),
          info(`generating workload for ${context.component ?? context.runName} with image ${context.image}`),
        ],
        success: 'workload generated',
      };
    default:
      return { ticks: durationTicks, lines: [info(`running ${task}`), info(`${task} finished`)], success: `${task} finished` };
  }
}

function checkoutSource(context: TaskContext, ticks: number): TaskPlan {
  const { parameters } = context;
  const target = `${parameters.repository ?? '(none)'}@${parameters.branch}`;
  const problem = checkoutProblem(parameters);
  if (problem) return { ticks: 1, lines: [info(`cloning ${target}`), { level: 'ERROR', message: problem }], failure: problem, success: '' };
  const commit = commitOf(parameters);
  return {
    ticks,
    lines: [
      info(`cloning ${target} into /mnt/vol/source`),
      info('remote: Enumerating objects: 1523, done.'),
      info('remote: Counting objects: 100% (412/412), done.'),
      info('Receiving objects: 100% (1523/1523), 1.21 MiB | 8.40 MiB/s, done.'),
      info(`HEAD is now at ${commit.slice(0, 7)} Merge pull request #218 from openchoreo/main`),
      info(`checked out ${parameters.branch} at ${commit.slice(0, 12)} (appPath ${parameters.appPath})`),
    ],
    success: `checked out ${parameters.branch} at ${commit.slice(0, 7)}`,
  };
}

function buildImage(context: TaskContext, ticks: number): TaskPlan {
  const { parameters, image } = context;
  const command = info(`docker build --file ${parameters.dockerfile} --tag ${image} ${parameters.context}`);
  const dockerfileName = posix.basename(parameters.dockerfile);
  if (!fileExists(parameters, parameters.dockerfile)) {
    const failure = `failed to read dockerfile: open ${parameters.dockerfile}: no such file or directory`;
    return {
      ticks: 1,
      lines: [
        command,
        info(`#1 [internal] load build definition from ${dockerfileName}`),
        info('#1 transferring dockerfile: 2B done'),
        info('#1 DONE 0.0s'),
        { level: 'ERROR', message: `ERROR ${failure}` },
      ],
      failure,
      success: '',
    };
  }
  const known = parameters.repository ? knownRepository(parameters.repository) : undefined;
  if (known && !known.files.some((file) => file.startsWith(`${parameters.context}/`)) && parameters.context !== '/') {
    const failure = `failed to prepare build context: path "${parameters.context}" not found`;
    return { ticks: 1, lines: [command, { level: 'ERROR', message: `ERROR ${failure}` }], failure, success: '' };
  }
  const from = baseImage(parameters);
  return {
    ticks: ticks * 2,
    lines: [
      command,
      info(`#1 [internal] load build definition from ${dockerfileName}`),
      info('#1 transferring dockerfile: 412B done'),
      info(`#2 [internal] load metadata for docker.io/library/${from}`),
      info('#3 [internal] load .dockerignore'),
      info('#4 [internal] load build context'),
      info('#4 transferring context: 48.31kB done'),
      info(`#5 [builder 1/5] FROM docker.io/library/${from}`),
      info('#6 [builder 2/5] WORKDIR /app'),
      info('#7 [builder 3/5] COPY . .'),
      info('#8 [builder 4/5] RUN make build'),
      info('#9 [stage-1 1/2] COPY --from=builder /app/bin/service /service'),
      info('#10 exporting to image'),
      info('#10 exporting layers 1.4s done'),
      info(`#10 naming to ${image} done`),
      info('#10 DONE 1.5s'),
    ],
    success: `built ${image}`,
  };
}

function publishImage(context: TaskContext, ticks: number): TaskPlan {
  const { image } = context;
  const digest = imageDigest(image);
  const tag = image.slice(image.lastIndexOf(':') + 1);
  return {
    ticks,
    lines: [
      info(`pushing ${image}`),
      info(`The push refers to repository [${image.slice(0, image.lastIndexOf(':'))}]`),
      info('5f70bf18a086: Pushed'),
      info('a1e9e8b2c7d4: Pushed'),
      info(`${tag}: digest: ${digest} size: 1578`),
    ],
    success: `pushed ${image} (${digest.slice(0, 19)})`,
  };
}
