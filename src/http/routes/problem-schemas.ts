/** Route schemas of the problem endpoints: summaries, detail, the admin write bodies and the list query. */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { PageQuery } from '../pagination.js';
import { DIFFICULTIES, LANGUAGES, LIMITS, TAG_SLUG_PATTERN } from '../../domain/problem/content.js';
import { ATTEMPT_FILTERS, PROBLEM_SORTS, UUID_PATTERN } from '../../projections/problems/queries.js';

const literals = <T extends string>(values: readonly T[], options: { default?: NoInfer<T> } = {}) =>
  Type.Union(values.map((v) => Type.Literal(v)), options);

/** `T | null` as one JSON-schema type list, so ajv's type coercion never turns a null into "" or 0. */
const orNull = <T extends TSchema>(schema: T) => {
  const { type, ...rest } = schema as unknown as { type: string };
  return Type.Unsafe<Static<T> | null>({ ...rest, type: [type, 'null'] });
};

/** Non-blank text (trimmed, then 1–n characters): the stored value is trimmed. */
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max, pattern: '\\S' });

export const ProblemSummarySchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  difficulty: literals(DIFFICULTIES),
  isPublished: Type.Boolean(),
  tags: Type.Array(Type.String()),
  company: orNull(Type.String()),
  acceptanceRate: orNull(Type.Number()),
  isBookmarked: Type.Boolean(),
  attemptStatus: orNull(Type.String({ enum: ['solved', 'attempted'] })),
  testCaseCount: Type.Optional(Type.Integer()),
  hiddenTestCaseCount: Type.Optional(Type.Integer()),
  totalSubmissions: Type.Integer(),
  updatedAt: Type.String(),
});

const ExampleSchema = Type.Object(
  {
    input: Type.String({ maxLength: LIMITS.exampleText }),
    output: Type.String({ maxLength: LIMITS.exampleText }),
    explanation: Type.Optional(Type.String({ maxLength: LIMITS.exampleText })),
  },
  { additionalProperties: false },
);

const StarterCodeSchema = Type.Object(
  Object.fromEntries(LANGUAGES.map((l) => [l, Type.Optional(Type.String({ maxLength: LIMITS.starterCode }))])),
  { additionalProperties: false },
);

export const TestCaseBody = Type.Object(
  {
    input: Text(LIMITS.testCaseText),
    expectedOutput: Text(LIMITS.testCaseText),
    description: Type.Optional(orNull(Type.String({ maxLength: LIMITS.testCaseDescription }))),
    isHidden: Type.Boolean({ default: false }),
    timeoutMs: Type.Optional(orNull(Type.Integer({ minimum: 1, maximum: LIMITS.timeLimitMs }))),
    memoryMb: Type.Optional(orNull(Type.Integer({ minimum: 1, maximum: LIMITS.memoryLimitMb }))),
  },
  { additionalProperties: false },
);

const HintLadderSchema = Type.Object(
  { subtle: Text(LIMITS.hint), moderate: Text(LIMITS.hint), direct: Text(LIMITS.hint) },
  { additionalProperties: false },
);

const editable = {
  title: Text(LIMITS.title),
  description: Text(LIMITS.description),
  difficulty: literals(DIFFICULTIES),
  company: orNull(Text(LIMITS.company)),
  constraints: orNull(Text(LIMITS.constraints)),
  examples: Type.Array(ExampleSchema, { maxItems: LIMITS.examples }),
  starterCode: orNull(StarterCodeSchema),
  timeLimit: orNull(Type.Integer({ minimum: 1, maximum: LIMITS.timeLimitMs })),
  memoryLimit: orNull(Type.Integer({ minimum: 1, maximum: LIMITS.memoryLimitMb })),
  tags: Type.Array(Type.String({ pattern: TAG_SLUG_PATTERN, maxLength: LIMITS.tagSlug }), { maxItems: LIMITS.tags }),
  testCases: Type.Array(TestCaseBody, { minItems: LIMITS.testCasesMin, maxItems: LIMITS.testCasesMax }),
  hints: orNull(HintLadderSchema),
};

export const CreateBody = Type.Object(
  {
    title: editable.title,
    description: editable.description,
    difficulty: editable.difficulty,
    isPublished: Type.Boolean({ default: false }),
    company: Type.Optional(editable.company),
    constraints: Type.Optional(editable.constraints),
    examples: Type.Array(ExampleSchema, { maxItems: LIMITS.examples, default: [] }),
    starterCode: Type.Optional(editable.starterCode),
    timeLimit: Type.Optional(editable.timeLimit),
    memoryLimit: Type.Optional(editable.memoryLimit),
    tags: Type.Array(editable.tags.items, { maxItems: LIMITS.tags, default: [] }),
    testCases: editable.testCases,
    hints: Type.Optional(editable.hints),
  },
  { additionalProperties: false },
);

export const UpdateBody = Type.Partial(Type.Object(editable), { additionalProperties: false });

export const ProblemDetailSchema = Type.Object({
  ...ProblemSummarySchema.properties,
  description: Type.String(),
  constraints: orNull(Type.String()),
  examples: Type.Array(Type.Object({ input: Type.String(), output: Type.String(), explanation: Type.Optional(Type.String()) })),
  testCases: Type.Array(
    Type.Object({
      input: Type.String(),
      expectedOutput: Type.String(),
      description: orNull(Type.String()),
      isHidden: Type.Boolean(),
      timeoutMs: orNull(Type.Integer()),
      memoryMb: orNull(Type.Integer()),
    }),
  ),
  starterCode: orNull(Type.Record(Type.String(), Type.String())),
  timeLimit: orNull(Type.Integer()),
  memoryLimit: orNull(Type.Integer()),
  userAttempts: Type.Integer(),
  createdAt: Type.String(),
  /** Admins only: the hint ladder the AI coach starts from. */
  hints: Type.Optional(orNull(HintLadderSchema)),
});

export const IdParams = Type.Object({ id: Type.String({ pattern: UUID_PATTERN }) });

const csv = (pattern: string) => Type.Optional(Type.Array(Type.String({ pattern, maxLength: 500 })));
const oneOf = (values: readonly string[]) => `^((${values.join('|')})(,(${values.join('|')}))*)?$`;

export const ListQuery = Type.Object({
  ...PageQuery,
  sortBy: literals(PROBLEM_SORTS, { default: 'createdAt' }),
  sortOrder: literals(['asc', 'desc'] as const, { default: 'desc' }),
  difficulty: csv(oneOf(DIFFICULTIES)),
  status: csv(oneOf(ATTEMPT_FILTERS)),
  tags: csv('^[a-z0-9,-]*$'),
  company: Type.Optional(Type.String({ maxLength: LIMITS.company })),
  search: Type.Optional(Type.String({ maxLength: 200 })),
  includeDrafts: Type.Optional(Type.Boolean()),
});

export const splitList = (values: readonly string[] | undefined) =>
  (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v.length > 0);

// ------------------------------------------------------------------------------------------------ mapping
