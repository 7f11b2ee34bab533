/**
 * A broken business rule. The code is the stable, machine-readable identifier of the error catalogue (docs/api.md,
 * "Errors"); the status is part of that same catalogue (a few codes answer with different statuses in different
 * places, so it travels with the error).
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (code: string, message: string) => new DomainError(code, 404, message);
export const conflict = (code: string, message: string) => new DomainError(code, 409, message);
export const forbidden = (code: string, message: string) => new DomainError(code, 403, message);

/** One rejected input field, as the error envelope lists it in `details.fields`. */
export interface FieldError {
  field: string;
  constraint: string;
  value: unknown;
}

/** 400 `VALIDATION_FAILED` naming the fields at fault (docs/api.md, "Errors"). */
export function validationError(fields: FieldError[], message = 'Validation failed'): DomainError {
  return new DomainError('VALIDATION_FAILED', 400, message, { fields });
}
