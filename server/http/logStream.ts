// A log query's answer written to the client while the engine still reads (QueryRequest.onStreams): the response
// starts with the first batch, each later batch is written as it comes, and the engine waits while the client is
// slower (the write promise resolves on 'drain'), so a limit-1M query holds a page of rows, not the whole answer.
// A failure after the first byte can no longer change the status: the response is cut off (the client sees a broken
// body, never a complete-looking partial answer).
import { PassThrough } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { FastifyReply } from 'fastify';
import type { QueryStats, Stream } from '../engine/types';
import { StreamingLogResponse, type EncodeOptions } from './marshal';

export class LogAnswerStream {
  private body?: PassThrough;
  private readonly encoder: StreamingLogResponse;

  constructor(
    private readonly reply: FastifyReply,
    private readonly contentType: string,
    private readonly gzip: boolean,
    opts: EncodeOptions,
    private readonly signal: AbortSignal,
  ) {
    this.encoder = new StreamingLogResponse(opts);
  }

  get started(): boolean {
    return this.body !== undefined;
  }

  /** QueryRequest.onStreams */
  readonly write = async (streams: Stream[]): Promise<void> => {
    if (this.signal.aborted) return;
    if (!this.body) {
      const body = (this.body = new PassThrough());
      this.reply.code(200).type(this.contentType);
      if (this.gzip) {
        this.reply.header('content-encoding', 'gzip').header('vary', 'accept-encoding');
        this.reply.send(body.pipe(createGzip({ level: 1 })));
      } else this.reply.send(body);
    }
    for (const chunk of this.encoder.batch(streams)) {
      if (!this.body.write(chunk)) await this.drained(this.body);
    }
  };

  /** the closing chunk with the stats */
  end(stats: QueryStats | undefined): void {
    this.body?.end(this.encoder.end(stats));
  }

  /** cut the response off after a failure past the first byte */
  fail(e: unknown): void {
    this.body?.destroy(e instanceof Error ? e : new Error(String(e)));
  }

  private drained(body: PassThrough): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        body.off('drain', done);
        body.off('close', done);
        this.signal.removeEventListener('abort', done);
        resolve();
      };
      body.once('drain', done);
      body.once('close', done);
      this.signal.addEventListener('abort', done, { once: true });
    });
  }
}
