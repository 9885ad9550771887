// Types for login-flow.mjs (plain JavaScript so scripted-browser.mjs runs with bare node).

export interface RunLoginOptions {
  /** Login name typed into the devInteractions login form (default 'alice'). */
  login?: string;
  /** Password typed into the form (any value is accepted; default 'password'). */
  password?: string;
  /** Follow the "[ Cancel ]" link instead of signing in: ends with error=access_denied. */
  deny?: boolean;
  /** Overall deadline (default 60 000 ms). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface RunLoginResult {
  /** URL of the last response (normally the loopback redirect URI with its query). */
  finalUrl: string;
  status: number;
  body: string;
  /** "METHOD url-without-query -> status" for each request made. */
  steps: string[];
}

export interface ParsedForm {
  action: string;
  method: string;
  inputs: Array<{ name: string; type: string; value: string }>;
}

export function runLogin(authorizationUrl: string, options?: RunLoginOptions): Promise<RunLoginResult>;
export function parseForms(html: string): ParsedForm[];
export function redactUrl(url: string): string;
