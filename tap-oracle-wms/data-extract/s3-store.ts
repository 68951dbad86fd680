import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import type { ObjectStore, StoredFile } from './object-store.js';
import { s3Failure } from './s3-errors.js';

export interface S3StoreOptions {
  readonly bucket: string;
  readonly region: string;
  /** An S3-compatible endpoint (OCI's S3 compatibility API, GCS interoperability, a test server); unset: AWS. */
  readonly endpoint?: string;
  /** Bucket in the path (`endpoint/bucket/key`) rather than the host name: what most S3-compatible stores need. */
  readonly forcePathStyle: boolean;
  /** A static key pair; unset: the SDK's default chain (environment, shared files, web identity, instance role). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** S3 refuses multipart parts under 5 MiB (except the last); a write holds one part in memory at most. */
const PART_BYTES = 8 * 1024 * 1024;

/**
 * An S3 bucket (AWS or S3-compatible) as an object store, through @aws-sdk/client-s3. Lists page by page with
 * continuation tokens (1,000 keys a page), reads are the response body streamed, writes of unknown length go up as a
 * multipart upload one part at a time. Every failure is a SourceError naming the store, the operation and the key
 * or prefix; credentials appear in no message and no log.
 */
export class S3Store implements ObjectStore {
  readonly description: string;
  readonly #client: S3Client;
  readonly #bucket: string;

  constructor(options: S3StoreOptions) {
    this.#bucket = options.bucket;
    this.description = `S3 bucket '${options.bucket}' at ${options.endpoint ?? `AWS ${options.region}`}`;
    this.#client = new S3Client({
      region: options.region,
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      forcePathStyle: options.forcePathStyle,
      ...(options.credentials === undefined ? {} : { credentials: { ...options.credentials } }),
      // Checksums only where S3 requires them: OCI's and GCS's S3 APIs refuse the SDK's default CRC headers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async *list(prefix: string): AsyncIterable<StoredFile> {
    let token: string | undefined;
    do {
      const page = await this.#send(`listing '${prefix}'`, () =>
        this.#client.send(new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: prefix, ContinuationToken: token })),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        yield {
          key: object.Key,
          size: object.Size ?? 0,
          etag: object.ETag ?? '',
          lastModified: object.LastModified ?? new Date(0),
        };
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async read(key: string): Promise<Readable> {
    const response = await this.#send(`reading '${key}'`, () =>
      this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key })),
    );
    if (!(response.Body instanceof Readable))
      throw s3Failure(this.description, `reading '${key}'`, new Error('the response has no body stream'));
    return response.Body;
  }

  async write(key: string, body: Readable | Buffer): Promise<void> {
    if (Buffer.isBuffer(body)) {
      await this.#put(key, body);
      return;
    }
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let upload: { id: string; parts: CompletedPart[] } | undefined;
    try {
      for await (const chunk of body as AsyncIterable<Buffer | string>) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        pending.push(bytes);
        pendingBytes += bytes.length;
        if (pendingBytes >= PART_BYTES) {
          upload ??= { id: await this.#startUpload(key), parts: [] };
          await this.#uploadPart(key, upload, Buffer.concat(pending));
          pending = [];
          pendingBytes = 0;
        }
      }
      if (upload === undefined) {
        await this.#put(key, Buffer.concat(pending));
        return;
      }
      if (pendingBytes > 0) await this.#uploadPart(key, upload, Buffer.concat(pending));
      const { id, parts } = upload;
      await this.#send(`writing '${key}'`, () =>
        this.#client.send(
          new CompleteMultipartUploadCommand({
            Bucket: this.#bucket,
            Key: key,
            UploadId: id,
            MultipartUpload: { Parts: parts },
          }),
        ),
      );
    } catch (error) {
      if (upload !== undefined) {
        const id = upload.id;
        // Best effort: an upload left open costs storage until the bucket's lifecycle rule removes it.
        await this.#client
          .send(new AbortMultipartUploadCommand({ Bucket: this.#bucket, Key: key, UploadId: id }))
          .catch(() => undefined);
      }
      throw error;
    }
  }

  /** Closes the client's sockets. */
  close(): void {
    this.#client.destroy();
  }

  async #put(key: string, body: Buffer): Promise<void> {
    await this.#send(`writing '${key}'`, () =>
      this.#client.send(new PutObjectCommand({ Bucket: this.#bucket, Key: key, Body: body })),
    );
  }

  async #startUpload(key: string): Promise<string> {
    const started = await this.#send(`writing '${key}'`, () =>
      this.#client.send(new CreateMultipartUploadCommand({ Bucket: this.#bucket, Key: key })),
    );
    if (started.UploadId === undefined)
      throw s3Failure(this.description, `writing '${key}'`, new Error('the store returned no upload id'));
    return started.UploadId;
  }

  async #uploadPart(key: string, upload: { id: string; parts: CompletedPart[] }, part: Buffer): Promise<void> {
    const number = upload.parts.length + 1;
    const done = await this.#send(`writing '${key}' (part ${number})`, () =>
      this.#client.send(
        new UploadPartCommand({
          Bucket: this.#bucket,
          Key: key,
          UploadId: upload.id,
          PartNumber: number,
          Body: part,
        }),
      ),
    );
    upload.parts.push({ PartNumber: number, ETag: done.ETag });
  }

  async #send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw s3Failure(this.description, operation, error);
    }
  }
}
