import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Starts a server process for a benchmark (its own process group, so the bench can kill it and its children) and
 * resolves once its standard output matches `ready`; rejects if it exits or is not ready within `timeoutMs`.
 */
export function startProcess(cmd: string[], env: Record<string, string>, ready: RegExp, timeoutMs = 120_000): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd[0]!, cmd.slice(1), { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    const timer = setTimeout(() => reject(new Error(`${cmd.join(' ')} did not start`)), timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      if (ready.test(d.toString())) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('exit', (code) => reject(new Error(`${cmd.join(' ')} exited with ${code}`)));
  });
}
