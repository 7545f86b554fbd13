import type { components } from '@homing/api-types';
import axios, { type AxiosInstance, type AxiosRequestConfig } from 'axios';
import { CliError } from './cli.io.js';

/** The API's shapes, generated from the dispatcher's OpenAPI document (@homing/api-types). */
export type Schemas = components['schemas'];

export interface Connection {
  url: string;
  token?: string;
}

/** Svix's list pages, as every list operation answers. */
export type Page<T> = Omit<Schemas['ListResponseEndpointOut'], 'data'> & { data: T[] };

/** The dispatcher's Svix-compatible REST API (`/api/v1`), with errors turned into one readable line. */
export class DispatcherClient {
  readonly http: AxiosInstance;

  constructor(readonly connection: Connection) {
    if (!connection.token) throw new CliError('no API token: pass --token or set HOMING_API_TOKEN');
    this.http = axios.create({
      baseURL: `${connection.url.replace(/\/+$/, '')}/api/v1/`,
      headers: { authorization: `Bearer ${connection.token}` },
      proxy: false,
    });
  }

  async request<T>(config: AxiosRequestConfig): Promise<T> {
    try {
      return (await this.http.request<T>(config)).data;
    } catch (error) {
      if (axios.isAxiosError(error) && error.response) throw new ApiError(error.response.status, error.response.data, error.response.statusText);
      throw new CliError(describe(error, this.connection.url));
    }
  }

  get<T>(path: string, params?: Record<string, unknown>): Promise<T> {
    return this.request<T>({ method: 'GET', url: path, params });
  }

  post<T>(path: string, data?: unknown): Promise<T> {
    return this.request<T>({ method: 'POST', url: path, data: data ?? {} });
  }

  patch<T>(path: string, data: unknown): Promise<T> {
    return this.request<T>({ method: 'PATCH', url: path, data });
  }

  put<T>(path: string, data: unknown): Promise<T> {
    return this.request<T>({ method: 'PUT', url: path, data });
  }

  delete(path: string): Promise<void> {
    return this.request<void>({ method: 'DELETE', url: path });
  }

  /** Every item of a listing, page after page. */
  async all<T>(path: string, params: Record<string, unknown> = {}): Promise<T[]> {
    const items: T[] = [];
    let iterator: string | null = null;
    do {
      const page: Page<T> = await this.get<Page<T>>(path, { ...params, limit: 250, ...(iterator ? { iterator } : {}) });
      items.push(...page.data);
      iterator = page.done ? null : page.iterator;
    } while (iterator);
    return items;
  }
}

/** Path segments are ids or uids chosen by users: encoded. */
export function path(strings: TemplateStringsArray, ...values: string[]): string {
  return strings.reduce((text, part, i) => text + part + (i < values.length ? encodeURIComponent(values[i]) : ''), '');
}

/** One item of a 422's `detail`, as Svix words validation errors. */
export interface ValidationDetail {
  loc?: string[];
  msg?: string;
  type?: string;
}

/** The dispatcher answered with an error: its status and Svix error body, kept for callers that act on them. */
export class ApiError extends CliError {
  readonly code?: string;
  readonly details: ValidationDetail[];

  constructor(
    readonly status: number,
    body: unknown,
    statusText: string,
  ) {
    const { code, detail } = (body ?? {}) as { code?: string; detail?: unknown };
    const details = Array.isArray(detail) ? (detail as ValidationDetail[]) : [];
    const text = Array.isArray(detail) ? details.map((item) => `${(item.loc ?? []).slice(1).join('.') || 'body'}: ${item.msg}`).join('; ') : String(detail ?? statusText);
    super(`${status}${code ? ` ${code}` : ''}: ${text}`);
    this.code = code;
    this.details = details;
  }
}

function describe(error: unknown, url: string): string {
  if (!axios.isAxiosError(error)) return (error as Error).message;
  return `cannot reach the dispatcher at ${url}: ${error.code ?? error.message}`;
}
