import { ApiError, problemOf, unreachable } from './api';

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'ended';

export interface LiveHandlers<T> {
  onResult(result: T): void;
  onProblem(problem: ApiError): void;
  onState(state: LiveState): void;
}

/**
 * Follows one of Tally's live query streams (server-sent events). EventSource cannot send an
 * Authorization header, and the credential must never go into a URL, so the stream is read with
 * fetch and parsed here. A dropped connection is retried (2 s, then up to 10 s); a refusal (4xx)
 * ends the stream and is reported.
 */
export function follow<T>(path: string, secret: string, handlers: LiveHandlers<T>): () => void {
  const abort = new AbortController();
  let delay = 2000;

  const run = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      handlers.onState('connecting');
      let retry = true;
      try {
        const response = await fetch(path, {
          cache: 'no-store',
          headers: { Accept: 'text/event-stream', Authorization: `Bearer ${secret}` },
          signal: abort.signal,
        });
        if (!response.ok || !response.body) {
          const problem = response.ok ? unreachable() : await problemOf(response);
          handlers.onProblem(problem);
          retry = problem.status === 503 || problem.status === 0;
        } else {
          retry = await read(response.body as ReadableStream<BufferSource>, handlers, () => (delay = 2000));
        }
      } catch {
        if (abort.signal.aborted) return;
        handlers.onProblem(unreachable());
      }
      if (!retry || abort.signal.aborted) {
        handlers.onState('ended');
        return;
      }
      handlers.onState('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 10000);
    }
  };

  void run();
  return () => abort.abort();
}

/** Reads events until the stream closes; false when the server ended it for good (a problem event). */
async function read<T>(body: ReadableStream<BufferSource>, handlers: LiveHandlers<T>, connected: () => void): Promise<boolean> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return true;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = 'message';
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) name = line.slice(7);
        else if (line.startsWith('data: ')) data += line.slice(6);
      }
      if (name === 'result') {
        connected();
        handlers.onState('live');
        handlers.onResult(JSON.parse(data) as T);
      } else if (name === 'problem') {
        const problem = JSON.parse(data);
        handlers.onProblem(new ApiError(problem.status, problem.title, problem.detail));
        if (problem.status !== 503) {
          await reader.cancel();
          return false;
        }
      }
    }
  }
}
