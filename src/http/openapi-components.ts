/**
 * Named schemas of the API contract (the SEED's schema list) published under `components.schemas` of the OpenAPI
 * document. Routes use the same schema objects inline (the request validator resolves no `$ref`s), so the named
 * component and what a route validates and serialises are one definition.
 */
import { PeerFeedbackEntrySchema, PeerFeedbackRatingsSchema } from './routes/feedback.js';
import { ProblemDetailSchema, ProblemSummarySchema } from './routes/problem-schemas.js';
import { ParticipantSummarySchema, RoomConfigSchema, RoomDetailSchema } from './routes/room-views.js';
import { SessionDetailSchema, SessionSummarySchema } from './routes/sessions.js';
import { PublicProfileSchema, UserProfileSchema } from './routes/users.js';

export const namedSchemas: Record<string, object> = {
  PeerFeedbackRatings: PeerFeedbackRatingsSchema,
  PeerFeedbackEntry: PeerFeedbackEntrySchema,
  RoomDetail: RoomDetailSchema,
  RoomConfig: RoomConfigSchema,
  ParticipantSummary: ParticipantSummarySchema,
  SessionSummary: SessionSummarySchema,
  SessionDetail: SessionDetailSchema,
  ProblemSummary: ProblemSummarySchema,
  ProblemDetail: ProblemDetailSchema,
  UserProfile: UserProfileSchema,
  PublicProfile: PublicProfileSchema,
};
