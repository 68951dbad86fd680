import type { CompletedPart, S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { ConfigError, SourceError } from '../../singer/index.js';
import type { ObjectStore, StoredFile } from './object-store.js';

/**
 * Where an S3 or S3-compatible bucket is. `endpoint` unset means AWS S3 itself (the region's endpoint); set it for
 * OCI Object Storage's S3 compatibility API (`https://<namespace>.compat.objectstorage.<region>.oraclecloud.com`),
 * Google Cloud Storage interoperability (`https://storage.googleapis.com`, HMAC keys) or any other S3-compatible
 * server. Without an access key the SDK's default chain finds credentials (environment, shared files, instance or
 * task role).
 */
export interface S3StoreOptions {
  readonly bucket: string;
  readonly region: string;
  readonly endpoint?: string;
  /** Bucket in the path (`endpoint/bucket/key`) instead of the host name: what OCI and most S3-compatible servers need. */
  readonly forcePathStyle: boolean;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
}

/**
 * The SDK, loaded when a store first talks to S3: importing it costs about a third of a second of CPU, which every
 * REST run (the tap's usual job, where no store is used) would otherwise pay at start-up.
 */
type S3Sdk = typeof import('@aws-sdk/client-s3');

/** The AWS SDK's own switch for its Node-version support warning (read when a client is created). */
const NODE_VERSION_WARNING_SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

/** Multipart part size of a streamed write: S3's minimum part is 5 MiB; a body smaller than one part is one PUT. */
const PART_BYTES = 8 * 1024 * 1024;

/** Error codes S3 (and the compatible servers) answer when the key, the signature or the permission is refused. */
const REFUSED_CODES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'InvalidToken',
  'ExpiredToken',
  'AuthorizationHeaderMalformed',
  'InvalidClientTokenId',
]);

/**
 * An S3 or S3-compatible bucket through @aws-sdk/client-s3. Lists page by page with continuation tokens, reads as
 * a stream, writes a stream as a multipart upload (never the whole file in memory). Errors name the bucket, the
 * endpoint and the key, never the credentials.
 */
export class S3Store implements ObjectStore {
  readonly description: string;
  readonly #options: S3StoreOptions;
  readonly #bucket: string;
  #connection: Promise<{ sdk: S3Sdk; client: S3Client }> | undefined;

  constructor(options: S3StoreOptions) {
    if ((options.accessKeyId === undefined) !== (options.secretAccessKey === undefined))
      throw new ConfigError('an S3 access key needs both its id and its secret (or neither: the SDK default chain)');
    this.#bucket = options.bucket;
    this.description = `S3 bucket '${options.bucket}' at ${options.endpoint ?? `AWS S3 (${options.region})`}`;
    this.#options = options;
  }

  /** The SDK and the client, made on the first call (one shared promise: concurrent calls make one client). */
  #connect(): Promise<{ sdk: S3Sdk; client: S3Client }> {
    this.#connection ??= import('@aws-sdk/client-s3').then((sdk) => {
      const options = this.#options;
      // On Node 20 the SDK warns once per process that its releases published after January 2027 need Node 22: a
      // notice for whoever updates the dependency, not for an operator reading the tap's log. This is the switch the
      // SDK's maintainers give for it (aws/aws-sdk-js-v3 issue 7983); a value already in the environment wins.
      process.env[NODE_VERSION_WARNING_SWITCH] ??= 'true';
      const client = new sdk.S3Client({
        region: options.region,
        endpoint: options.endpoint,
        forcePathStyle: options.forcePathStyle,
        credentials:
          options.accessKeyId !== undefined && options.secretAccessKey !== undefined
            ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey }
            : undefined,
        // Checksum headers only where S3 requires them: S3-compatible APIs (OCI, GCS) may refuse the SDK's default CRCs.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
      return { sdk, client };
    });
    return this.#connection;
  }

  async *list(prefix: string): AsyncIterable<StoredFile> {
    let token: string | undefined;
    do {
      const page = await this.#send(`listing '${prefix}'`, (sdk, client) =>
        client.send(new sdk.ListObjectsV2Command({ Bucket: this.#bucket, Prefix: prefix, ContinuationToken: token })),
      );
      for (const item of page.Contents ?? []) {
        if (item.Key === undefined) continue;
        yield {
          key: item.Key,
          size: item.Size ?? 0,
          etag: (item.ETag ?? '').replaceAll('"', ''),
          lastModified: item.LastModified ?? new Date(0),
        };
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async read(key: string): Promise<Readable> {
    const answer = await this.#send(`reading '${key}'`, (sdk, client) =>
      client.send(new sdk.GetObjectCommand({ Bucket: this.#bucket, Key: key })),
    );
    if (!(answer.Body instanceof Readable))
      throw new SourceError(`${this.description} answered no body reading '${key}'`);
    return answer.Body;
  }

  async write(key: string, body: Readable | Buffer): Promise<void> {
    const chunks = Buffer.isBuffer(body) ? [body] : body;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let upload: { id: string; parts: CompletedPart[] } | undefined;
    try {
      for await (const chunk of chunks) {
        const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
        pending.push(bytes);
        pendingBytes += bytes.length;
        if (pendingBytes >= PART_BYTES) {
          upload ??= await this.#startUpload(key);
          await this.#uploadPart(key, upload, Buffer.concat(pending));
          pending = [];
          pendingBytes = 0;
        }
      }
      if (upload === undefined) {
        const whole = Buffer.concat(pending);
        await this.#send(`writing '${key}'`, (sdk, client) =>
          client.send(new sdk.PutObjectCommand({ Bucket: this.#bucket, Key: key, Body: whole })),
        );
        return;
      }
      if (pendingBytes > 0) await this.#uploadPart(key, upload, Buffer.concat(pending));
      const { id, parts } = upload;
      await this.#send(`writing '${key}'`, (sdk, client) =>
        client.send(
          new sdk.CompleteMultipartUploadCommand({
            Bucket: this.#bucket,
            Key: key,
            UploadId: id,
            MultipartUpload: { Parts: parts },
          }),
        ),
      );
    } catch (error) {
      // An unfinished multipart upload is billed storage that list never shows: abort it (best effort).
      if (upload !== undefined) {
        const id = upload.id;
        const { sdk, client } = await this.#connect();
        await client
          .send(new sdk.AbortMultipartUploadCommand({ Bucket: this.#bucket, Key: key, UploadId: id }))
          .catch(() => undefined);
      }
      throw error;
    }
  }

  async #startUpload(key: string): Promise<{ id: string; parts: CompletedPart[] }> {
    const started = await this.#send(`writing '${key}'`, (sdk, client) =>
      client.send(new sdk.CreateMultipartUploadCommand({ Bucket: this.#bucket, Key: key })),
    );
    if (started.UploadId === undefined) throw new SourceError(`${this.description} gave no upload id writing '${key}'`);
    return { id: started.UploadId, parts: [] };
  }

  async #uploadPart(key: string, upload: { id: string; parts: CompletedPart[] }, bytes: Buffer): Promise<void> {
    const partNumber = upload.parts.length + 1;
    const answer = await this.#send(`writing '${key}' (part ${partNumber})`, (sdk, client) =>
      client.send(
        new sdk.UploadPartCommand({
          Bucket: this.#bucket,
          Key: key,
          UploadId: upload.id,
          PartNumber: partNumber,
          Body: bytes,
        }),
      ),
    );
    upload.parts.push({ PartNumber: partNumber, ETag: answer.ETag });
  }

  /** Runs one SDK call; its failure becomes an error with the project's exit code and no credential in it. */
  async #send<T>(what: string, call: (sdk: S3Sdk, client: S3Client) => Promise<T>): Promise<T> {
    const { sdk, client } = await this.#connect();
    try {
      return await call(sdk, client);
    } catch (error) {
      throw this.#explain(sdk, what, error);
    }
  }

  #explain(sdk: S3Sdk, what: string, error: unknown): Error {
    const where = `${this.description}, ${what}`;
    if (error instanceof sdk.S3ServiceException) {
      const status = error.$metadata.httpStatusCode;
      if (error.name === 'NoSuchBucket')
        return new ConfigError(`the bucket does not exist (${where}): check the bucket name and endpoint`, {
          cause: error,
        });
      if (REFUSED_CODES.has(error.name) || status === 403)
        return new SourceError(
          `the object store refused the credentials or the permission (${error.name}, HTTP ${status ?? '?'}; ${where}): check the access key or the role's policy`,
          { cause: error, status },
        );
      if (error.name === 'NoSuchKey')
        return new SourceError(`no such file (${where}): it was listed but is gone`, { cause: error, status });
      return new SourceError(`the object store failed (${error.name}, HTTP ${status ?? '?'}; ${where})`, {
        cause: error,
        status,
        retriable: status === undefined || status >= 500,
      });
    }
    const code = (error as { code?: unknown }).code;
    const reason = typeof code === 'string' ? code : error instanceof Error ? error.name : 'unknown error';
    return new SourceError(`the object store cannot be reached (${reason}; ${where})`, {
      cause: error,
      retriable: true,
    });
  }
}
