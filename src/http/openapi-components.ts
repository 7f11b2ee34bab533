/**
 * Named schemas of the API contract (the SEED's schema list) published under `components.schemas` of the OpenAPI
 * document. Routes use the same schema objects inline (the request validator resolves no `$ref`s), so the named
 * component and what a route validates and serialises are one definition.
 */
import { PeerFeedbackEntrySchema, PeerFeedbackRatingsSchema } from './routes/feedback.js';

export const namedSchemas: Record<string, object> = {
  PeerFeedbackRatings: PeerFeedbackRatingsSchema,
  PeerFeedbackEntry: PeerFeedbackEntrySchema,
};
