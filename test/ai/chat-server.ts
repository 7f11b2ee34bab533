/**
 * A real HTTP server speaking the OpenAI chat-completions protocol (`POST /v1/chat/completions`) and
 * `/v1/audio/transcriptions`, answering from a script: each request takes the next step (status, headers, body,
 * delay); when the script is empty the default step answers. Every request is recorded.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Step {
  status?: number;
  headers?: Record<string, string>;
  /** A JSON object answered as is, or a string used as the assistant message content. */
  content?: string;
  raw?: unknown;
  delayMs?: number;
}

export interface Recorded {
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
  raw: string;
}

export interface ChatServer {
  url: string;
  requests: Recorded[];
  script(...steps: Step[]): void;
  setDefault(step: Step): void;
  close(): Promise<void>;
}

export const completion = (content: string) => ({
  id: 'chatcmpl-test',
  object: 'chat.completion',
  created: 0,
  model: 'scripted-model',
  choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
});

export async function startChatServer(defaultStep: Step = { content: '{}' }): Promise<ChatServer> {
  let fallback = defaultStep;
  const queue: Step[] = [];
  const requests: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        // multipart (transcriptions)
      }
      requests.push({ path: req.url ?? '', headers: req.headers, body, raw });
      const step = queue.shift() ?? fallback;
      const answer = () => {
        if (res.destroyed) return;
        res.writeHead(step.status ?? 200, { 'content-type': 'application/json', ...step.headers });
        const payload = step.raw !== undefined ? step.raw : req.url?.includes('/audio/') ? { text: step.content ?? '' } : completion(step.content ?? '');
        res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
      };
      if (step.delayMs) setTimeout(answer, step.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (...steps) => queue.push(...steps),
    setDefault: (step) => {
      fallback = step;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
