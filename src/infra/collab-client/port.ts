/**
 * The control plane's view of the collab plane's internal API. Implemented over HTTP by
 * `createHttpCollabClient`; the collab package offers an in-process implementation for role `all`.
 */
export type CollabRoomPhase = 'waiting' | 'warmup' | 'coding' | 'wrapup' | 'finished';

export interface CreateCollabDocumentInput {
  roomId: string;
  /** starter code per language; each non-empty entry seeds `code:<language>` */
  initialContentByLanguage?: Record<string, string>;
  initialLanguage?: string;
  /** default `waiting` */
  initialPhase?: CollabRoomPhase;
  /** default false */
  editorLocked?: boolean;
  /** Yjs update bytes (e.g. from room_doc_snapshots) to start from instead of the starter code */
  snapshot?: number[];
}

export interface CreateCollabDocumentResult {
  roomId: string;
  /** epoch ms */
  createdAt: number;
  /** false when the document already existed (idempotent) */
  created: boolean;
}

export interface DestroyCollabDocumentResult {
  roomId: string;
  finalSnapshot?: number[];
}

export interface UpdateCollabStateInput {
  phase: CollabRoomPhase;
  editorLocked: boolean;
  changedBy?: string;
  language?: string;
}

export interface CollabChatMessage {
  messageId: string;
  roomId: string;
  userId: string;
  text: string;
  replyToMessageId: string | null;
  mentions: Array<{ kind: 'user' | 'ai'; value: string; userId?: string }>;
  attachments: Array<{
    kind: 'image' | 'video' | 'audio' | 'file';
    key: string;
    url: string;
    fileName: string;
    mimeType: string;
    sizeBytes: number;
  }>;
  reactions: Array<{ emoji: string; userIds: string[] }>;
  createdAt: number;
  updatedAt: number;
}

export interface CollabClient {
  createDocument(input: CreateCollabDocumentInput): Promise<CreateCollabDocumentResult>;
  /** CollabNotFoundError if the collab does not know the room */
  destroyDocument(roomId: string): Promise<DestroyCollabDocumentResult>;
  kick(roomId: string, userId: string, reason?: string): Promise<{ kicked: boolean }>;
  /** CollabNotFoundError if unknown; going to `finished` fails (CollabUnavailableError, 500) if the strict snapshot failed */
  updateState(roomId: string, input: UpdateCollabStateInput): Promise<{ success: boolean }>;
  participantReady(roomId: string, userId: string, isReady: boolean): Promise<{ success: boolean }>;
  changeLanguage(roomId: string, language: string, changedBy?: string): Promise<{ success: boolean }>;
  getChat(roomId: string, limit?: number): Promise<{ messages: CollabChatMessage[] }>;
  health(): Promise<{ status: 'ok' }>;
  /** The room's whiteboard rendered to SVG plus its raw records (docs/whiteboard.md); CollabNotFoundError if unknown. */
  exportWhiteboard?(roomId: string): Promise<WhiteboardExport>;
}

export interface WhiteboardExport {
  roomId: string;
  svg: string;
  /** record id → tldraw record */
  records: Record<string, unknown>;
  /** shapes on the board; 0 = the board was never drawn on */
  shapeCount: number;
  /** epoch ms when the state was read */
  capturedAt: number;
}
