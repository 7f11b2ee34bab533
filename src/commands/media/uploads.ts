/**
 * Signed upload URLs for chat attachments and whiteboard assets. The client PUTs the object straight to
 * storage with the returned URL and shares the download URL; the API only signs.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { DomainError, validationError } from '../../domain/shared/errors.js';
import { storageOf } from '../../infra/storage/index.js';
import type { Ports, StorageDeps } from '../ports.js';
import { authorizeMedia } from './access.js';

const MiB = 1024 * 1024;

export const CHAT_MEDIA_MAX_BYTES = 10 * MiB;
export const CHAT_MEDIA_TYPES = [
  'image/png',
  'image/jpeg',
  'image/webp',
  'image/gif',
  'video/mp4',
  'video/webm',
  'video/quicktime',
  'audio/mpeg',
  'audio/mp4',
  'audio/wav',
  'audio/ogg',
  'application/pdf',
  'text/plain',
] as const;
export const CHAT_PUT_TTL_SECONDS = 15 * 60;
export const CHAT_GET_TTL_SECONDS = 24 * 60 * 60;

export const WHITEBOARD_ASSET_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif', 'image/svg+xml', 'video/mp4', 'video/webm'] as const;
export type WhiteboardAssetType = (typeof WHITEBOARD_ASSET_TYPES)[number];
export const WHITEBOARD_IMAGE_MAX_BYTES = 25 * MiB;
export const WHITEBOARD_VIDEO_MAX_BYTES = 100 * MiB;
export const WHITEBOARD_PUT_TTL_SECONDS = 10 * 60;
export const WHITEBOARD_GET_TTL_SECONDS = 7 * 24 * 60 * 60;

/** Basename of `fileName`, each char outside `[A-Za-z0-9._-]` → `_`, at most 120 chars, `attachment.bin` when empty. */
export function sanitizeChatFileName(fileName: string): string {
  const base = fileName.split(/[/\\]/).pop() ?? '';
  const safe = base.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120);
  return safe === '' || /^\.+$/.test(safe) ? 'attachment.bin' : safe;
}

/** Each run of chars outside `[A-Za-z0-9._-]` → one `_`, at most 200 chars. */
export function sanitizeWhiteboardFileName(filename: string): string {
  const safe = filename.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 200);
  return safe === '' || /^\.+$/.test(safe) ? 'asset' : safe;
}

export interface ChatUpload {
  key: string;
  uploadUrl: string;
  downloadUrl: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
}

export async function chatMediaUploadUrl(
  ctx: StorageDeps & Pick<Ports, 'db'>,
  roomId: string,
  userId: string,
  input: { fileName: string; contentType: string; sizeBytes: number },
  now = new Date(),
): Promise<ChatUpload> {
  await authorizeMedia(ctx.db, roomId, userId, ['chat:send']);
  const contentType = input.contentType.trim().toLowerCase();
  if (input.sizeBytes > CHAT_MEDIA_MAX_BYTES) {
    throw validationError([{ field: 'sizeBytes', constraint: 'maximum', value: input.sizeBytes }], `Attachments are limited to ${CHAT_MEDIA_MAX_BYTES} bytes`);
  }
  if (!(CHAT_MEDIA_TYPES as readonly string[]).includes(contentType)) {
    throw validationError([{ field: 'contentType', constraint: 'enum', value: input.contentType }], 'Unsupported attachment type');
  }
  const fileName = sanitizeChatFileName(input.fileName);
  const key = `rooms/${roomId}/chat/${now.getTime()}-${randomBytes(6).toString('hex')}-${fileName}`;
  const storage = storageOf(ctx);
  const [uploadUrl, downloadUrl] = await Promise.all([
    storage.signedPutUrl(key, { contentType, expiresInSeconds: CHAT_PUT_TTL_SECONDS }),
    storage.signedGetUrl(key, CHAT_GET_TTL_SECONDS),
  ]);
  return { key, uploadUrl, downloadUrl, fileName, contentType, sizeBytes: input.sizeBytes };
}

export function whiteboardAssetLimit(contentType: WhiteboardAssetType): number {
  return contentType.startsWith('video/') ? WHITEBOARD_VIDEO_MAX_BYTES : WHITEBOARD_IMAGE_MAX_BYTES;
}

export async function whiteboardAssetUploadUrl(
  ctx: StorageDeps & Pick<Ports, 'db'>,
  roomId: string,
  userId: string,
  input: { filename: string; contentType: WhiteboardAssetType; contentLength: number },
): Promise<{ uploadUrl: string; downloadUrl: string; key: string }> {
  // The size is checked before anything about the room.
  const limit = whiteboardAssetLimit(input.contentType);
  if (input.contentLength > limit) {
    throw new DomainError('WHITEBOARD_ASSET_TOO_LARGE', `Assets of type ${input.contentType} are limited to ${limit} bytes`, { limit });
  }
  await authorizeMedia(ctx.db, roomId, userId, ['whiteboard:draw', 'whiteboard:annotate']);
  const key = `whiteboard/${roomId}/${randomUUID()}-${sanitizeWhiteboardFileName(input.filename)}`;
  const storage = storageOf(ctx);
  const [uploadUrl, downloadUrl] = await Promise.all([
    storage.signedPutUrl(key, { contentType: input.contentType, expiresInSeconds: WHITEBOARD_PUT_TTL_SECONDS }),
    storage.signedGetUrl(key, WHITEBOARD_GET_TTL_SECONDS),
  ]);
  return { uploadUrl, downloadUrl, key };
}
