import { CouncilHubError, CouncilRunError, type CouncilClient } from '../index.js';
import { colors, noColors } from './ansi.js';
import type { Command } from './args.js';
import { connectOrExplain } from './connection.js';
import { JsonRenderer, PlainRenderer, TtyRenderer, type Renderer } from './renderers.js';
import { RunView } from './run-view.js';

type AskCommand = Extract<Command, { name: 'ask' }>;

/** What `ask` needs from the process: streams and signals, so tests can drive it. */
export interface CliProcess {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly stdin: NodeJS.ReadStream;
  readonly env: Record<string, string | undefined>;
  on(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  exit(code: number): never;
}

export const EXIT = { ok: 0, runFailed: 1, usage: 2, cannotConnect: 3, interrupted: 130 } as const;

/** How long to wait for the server to confirm a cancel (run_complete) after Ctrl-C. */
const CANCEL_GRACE_MS = 10_000;

/** `council ask`: starts a run and shows it until run_complete. Returns the exit code. */
export async function ask(command: AskCommand, proc: CliProcess): Promise<number> {
  const { stdout, stderr, stdin } = proc;
  const keys = stdin.isTTY === true && typeof stdin.setRawMode === 'function';
  const style = stdout.isTTY && !proc.env.NO_COLOR ? colors : noColors;
  const renderer: Renderer = command.json
    ? new JsonRenderer(stdout, stderr)
    : stdout.isTTY ? new TtyRenderer(stdout, style, keys) : new PlainRenderer(stdout, stderr, noColors);

  // Ctrl-C from here on cancels the run (or, before it started, just ends); twice exits at once.
  let interrupted = false;
  let runId: string | undefined;
  let council: CouncilClient | undefined;
  const timers: ReturnType<typeof setTimeout>[] = [];
  const cleanup = () => {
    timers.forEach(clearTimeout);
    proc.off('SIGINT', onInterrupt);
    proc.off('SIGTERM', onInterrupt);
    if (keys) { stdin.off('data', onKey); stdin.setRawMode(false); stdin.pause(); }
    renderer.dispose();
  };
  const quit = (message: string): never => {
    cleanup();
    stderr.write(`council: ${message}\n`);
    return proc.exit(EXIT.interrupted);
  };
  const cancelRun = (id: string) => {
    renderer.notice('cancelling the run… (Ctrl-C again to quit without waiting)');
    council!.cancelRun({ runId: id }).catch((error: unknown) => {
      // The run_complete that confirms the cancel can beat the invocation's answer, and the CLI then closes the
      // connection, which cancels the pending invocation: that says nothing about the cancel.
      if (!view?.complete) renderer.notice(`cancel_run failed: ${message(error)}`);
    });
    timers.push(setTimeout(() => quit(`run ${id} did not confirm the cancel within ${CANCEL_GRACE_MS / 1000} s; exiting`), CANCEL_GRACE_MS));
  };
  function onInterrupt() {
    if (interrupted || !council) quit('interrupted');
    interrupted = true;
    if (runId) cancelRun(runId); // else: cancelled as soon as start_run returns
  }
  proc.on('SIGINT', onInterrupt);
  proc.on('SIGTERM', onInterrupt);

  let view: RunView | undefined;
  function onKey(chunk: Buffer | string) {
    for (const ch of chunk.toString()) {
      if (ch === '\u0003') onInterrupt();
      else if (ch >= '1' && ch <= '9' && view) skip(ch);
    }
  }
  const skip = (target: string, reason = '') => {
    if (!view || !runId) return;
    const active = view.activeLanes();
    const lane = /^\d+$/.test(target)
      ? active[Number(target) - 1]
      : active.find((l) => l.model === target && (l.status === 'waiting' || l.status === 'streaming'))
        ?? active.find((l) => l.model === target) ?? { model: target, stage: undefined, status: 'waiting' };
    if (!lane) return renderer.notice(`no model number ${target} in the running stage`);
    if (lane.status !== 'waiting' && lane.status !== 'streaming') return renderer.notice(`${lane.model} has already finished${reason}`);
    renderer.notice(`skipping ${lane.model}${reason}`);
    council!.cancelModel({ runId, model: lane.model, stage: lane.stage })
      .then((r) => { if (!r.accepted) renderer.notice(`${lane.model} had already finished`); })
      .catch((error: unknown) => renderer.notice(`cancel_model failed: ${message(error)}`));
  };

  try {
    council = await connectOrExplain(command, stderr);
    if (!council) return EXIT.cannotConnect;

    let started;
    try {
      started = await council.startRun({
        prompt: command.prompt,
        models: command.models,
        chairman: command.chairman,
        workflow: command.workflow,
        ...(command.search ? { search: true } : {}),
        ...(command.quorum ? { quorum: command.quorum } : {}),
      });
    } catch (error) {
      if (error instanceof CouncilHubError) {
        stderr.write(`council: the server rejected the run: ${error.serverMessage}\n`);
        return EXIT.usage;
      }
      stderr.write(`council: start_run failed: ${message(error)}\n`);
      return council.state === 'connected' ? EXIT.runFailed : EXIT.cannotConnect;
    }
    runId = started.runId;
    view = new RunView(started);
    renderer.started(view);
    council.onStateChange((state) => {
      if (state === 'reconnecting') renderer.notice('lost the connection; reconnecting…');
      else if (state === 'connected') renderer.notice('reconnected; resuming the run where it left off');
    });
    council.onRunReplay((replayed) => {
      if (replayed !== runId) return;
      renderer.notice('the server lost the newest events of this run when it stopped: the run again, as it stored it');
      view?.restart();
    });
    if (interrupted) cancelRun(runId);

    const planned = new Set(started.stages.flatMap((s) => s.models));
    for (const { target, ms } of command.cancelAfter) {
      if (!/^\d+$/.test(target) && !planned.has(target)) renderer.notice(`--cancel-after: ${target} is not a model of this run`);
      timers.push(setTimeout(() => skip(target, ` (--cancel-after ${ms} ms)`), ms));
    }
    if (keys) { stdin.setRawMode(true); stdin.setEncoding('utf8'); stdin.on('data', onKey); stdin.resume(); }

    try {
      for await (const event of council.events(runId)) {
        view.apply(event);
        renderer.event(event, view);
      }
    } catch (error) {
      cleanup();
      stderr.write(`council: ${message(error)}\n`);
      return error instanceof CouncilRunError && error.reason === 'connection_closed' ? EXIT.cannotConnect : EXIT.runFailed;
    }

    cleanup();
    renderer.finished(view);
    if (interrupted) return EXIT.interrupted;
    return view.complete?.status === 'ok' ? EXIT.ok : EXIT.runFailed;
  } finally {
    cleanup();
    await council?.close();
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
