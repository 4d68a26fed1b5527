// How every command is called, and the one error shape every rejection becomes.
import { invoke } from '@tauri-apps/api/core';

import type { ErrorCode, ErrorDetail } from './generated';

/** The codes Rust sends (generated from `hakobu_dispatch::ErrorCode`). */
export type CommandErrorCode = ErrorCode;

/** Every code, checked against the generated union: a code added in Rust fails the type check
 * here until it is listed (and given a message in the catalogues). */
const CODES: Record<CommandErrorCode, true> = {
  bad_request: true,
  not_found: true,
  unauthorized: true,
  conflict: true,
  transport: true,
  cache: true,
  config: true,
  internal: true,
};

export const COMMAND_ERROR_CODES = Object.keys(CODES) as readonly CommandErrorCode[];

/** Every rejected command rejects with this shape. */
export interface CommandError {
  code: CommandErrorCode;
  message: string;
  field: string | null;
  /** The refusal's facts, for the view to word (only commands whose refusals it words send
   *  them; `message` is their English). */
  detail?: ErrorDetail | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isCode(value: unknown): value is CommandErrorCode {
  return typeof value === 'string' && (COMMAND_ERROR_CODES as readonly string[]).includes(value);
}

export function isCommandError(value: unknown): value is CommandError {
  return (
    isRecord(value) &&
    isCode(value.code) &&
    typeof value.message === 'string' &&
    (value.field === null || typeof value.field === 'string')
  );
}

/**
 * Turns whatever a rejected invoke gave us into a CommandError.
 * A plain string (Tauri's own failures, e.g. an unknown command) becomes `internal`.
 */
export function normaliseError(error: unknown): CommandError {
  if (typeof error === 'string') {
    return { code: 'internal', message: error, field: null };
  }
  if (isRecord(error)) {
    const message =
      typeof error.message === 'string'
        ? error.message
        : typeof error.error === 'string'
          ? error.error
          : safeJson(error);
    const field = typeof error.field === 'string' && error.field !== '' ? error.field : null;
    const code = isCode(error.code) ? error.code : 'internal';
    // The facts are passed on as sent: their wording falls back to `message` for a rule it
    // does not know.
    if (isRecord(error.detail) && typeof error.detail.rule === 'string') {
      return { code, message, field, detail: error.detail as ErrorDetail };
    }
    return { code, message, field };
  }
  if (error === undefined || error === null) {
    return { code: 'internal', message: '', field: null };
  }
  return { code: 'internal', message: String(error), field: null };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

export async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw normaliseError(error);
  }
}

