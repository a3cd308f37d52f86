/**
 * The runner types Squall registers at start-up. Parameter names, types, defaults and the
 * `required`/`secret`/`immutable` flags match StackStorm's `contrib/runners/<runner>/runner.yaml`
 * exactly, because action metadata overrides them by name and the override rules
 * (merge-parameters.ts) compare attribute values; descriptions are our own.
 * Whether a runner is implemented yet is the runners' business, not this table's.
 */
import type { ParameterSchema, RunnerType } from "./model.ts";

const TIMEOUT_60 = {
  type: "integer",
  default: 60,
  description: "Seconds the action may run before it is killed.",
};

const SUDO_PASSWORD = {
  type: "string",
  default: null,
  required: false,
  secret: true,
  description: "Password for sudo, when passwordless sudo is not configured.",
};

const KWARG_OP = {
  type: "string",
  default: "--",
  description: 'Prefix written before keyword arguments, such as "--" or "-".',
};

const CONTENT_VERSION = {
  type: "string",
  required: false,
  description:
    "Git revision (commit, tag or branch) of the pack to run; only for packs kept in git.",
};

const DEBUG = {
  type: "boolean",
  required: false,
  default: false,
  description: "Turn on the runner's debug mode.",
};

const ANY_VALUE = {
  anyOf: [
    { type: "object" },
    { type: "string" },
    { type: "integer" },
    { type: "number" },
    { type: "boolean" },
    { type: "array" },
    { type: "null" },
  ],
};

function localShell(extra: ParameterSchema, noun: string): ParameterSchema {
  return {
    ...extra,
    cwd: { type: "string", description: `Working directory for the ${noun}.` },
    env: {
      type: "object",
      description: `Environment variables given to the ${noun}.`,
    },
    kwarg_op: KWARG_OP,
    sudo: { type: "boolean", default: false, description: `Run the ${noun} through sudo.` },
    sudo_password: SUDO_PASSWORD,
    timeout: TIMEOUT_60,
  };
}

function remoteShell(extra: ParameterSchema, dirImmutable: boolean): ParameterSchema {
  const dir: ParameterSchema[string] = {
    type: "string",
    default: "/tmp",
    description: "Remote directory the script is copied into.",
  };
  if (dirImmutable) dir.immutable = true;
  return {
    bastion_host: {
      type: "string",
      required: false,
      description: "Host to proxy the SSH connection through, using the same credentials.",
    },
    ...extra,
    cwd: { type: "string", default: "/tmp", description: "Working directory on the remote host." },
    dir,
    env: { type: "object", description: "Environment variables set on the remote host." },
    hosts: {
      type: "string",
      required: true,
      description: "Comma-separated hosts to run on, each optionally with :port.",
    },
    kwarg_op: KWARG_OP,
    parallel: {
      type: "boolean",
      default: false,
      immutable: true,
      description: "Run on all hosts at once.",
    },
    passphrase: {
      type: "string",
      required: false,
      secret: true,
      description: "Passphrase of the private key.",
    },
    password: {
      type: "string",
      required: false,
      secret: true,
      description: "Login password; the configured private key is used when absent.",
    },
    port: {
      type: "integer",
      required: false,
      description: "SSH port for hosts that do not name one (22 by default).",
    },
    private_key: {
      type: "string",
      required: false,
      secret: true,
      description: "Private key material used to log in.",
    },
    sudo: { type: "boolean", default: false, description: "Run through sudo on the remote host." },
    sudo_password: SUDO_PASSWORD,
    timeout: TIMEOUT_60,
    username: {
      type: "string",
      required: false,
      description: "Login user; the configured default user when absent.",
    },
  };
}

export const BUILTIN_RUNNER_TYPES: RunnerType[] = [
  {
    name: "local-shell-cmd",
    description: "Runs a shell command on the node that executes the action.",
    enabled: true,
    runner_parameters: localShell(
      { cmd: { type: "string", description: "Shell command to run on this host." } },
      "command",
    ),
  },
  {
    name: "local-shell-script",
    description: "Runs a script from the pack on the node that executes the action.",
    enabled: true,
    runner_parameters: localShell({ debug: DEBUG, content_version: CONTENT_VERSION }, "script"),
  },
  {
    name: "remote-shell-cmd",
    description: "Runs a shell command on remote hosts over SSH.",
    enabled: true,
    runner_parameters: remoteShell(
      { cmd: { type: "string", description: "Shell command to run on the remote hosts." } },
      true,
    ),
  },
  {
    name: "remote-shell-script",
    description: "Copies a script from the pack to remote hosts over SSH and runs it there.",
    enabled: true,
    runner_parameters: remoteShell({}, false),
  },
  {
    name: "python-script",
    description: "Runs a Python action class from the pack.",
    enabled: true,
    runner_parameters: {
      debug: DEBUG,
      content_version: CONTENT_VERSION,
      env: { type: "object", description: "Environment variables given to the action process." },
      timeout: {
        type: "integer",
        default: 600,
        description: "Seconds the action may run before it is killed.",
      },
      log_level: {
        type: "string",
        default: "DEBUG",
        enum: ["AUDIT", "CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"],
        description: "Level of the logger handed to the action.",
      },
    },
    output_key: "result",
    output_schema: {
      type: "object",
      properties: {
        result: ANY_VALUE,
        stderr: { type: "string", required: true },
        stdout: { type: "string", required: true },
        exit_code: { type: "integer", required: true },
      },
      additionalProperties: false,
    },
  },
  {
    // Squall's own: TypeScript/JavaScript actions written with src/sdk (`defineAction`);
    // entry_point is a .ts/.mts/.js/.mjs file under the pack's actions/ directory.
    name: "nodejs",
    description: "Runs a TypeScript or JavaScript action written with Squall's SDK.",
    enabled: true,
    runner_parameters: {
      env: { type: "object", description: "Environment variables given to the action process." },
      timeout: {
        type: "integer",
        default: 600,
        description: "Seconds the action may run before it is killed.",
      },
    },
    output_key: "result",
    output_schema: {
      type: "object",
      properties: {
        result: ANY_VALUE,
        stderr: { type: "string", required: true },
        stdout: { type: "string", required: true },
        exit_code: { type: "integer", required: true },
        error: { type: "string" },
      },
      additionalProperties: false,
    },
  },
  {
    name: "http-request",
    description: "Sends an HTTP request and returns the response.",
    enabled: true,
    runner_parameters: {
      allow_redirects: {
        type: "boolean",
        default: false,
        description: "Follow redirects for POST, PUT and DELETE requests.",
      },
      cookies: { type: "object", description: "Cookies sent with the request." },
      headers: { type: "object", description: "Request headers." },
      http_proxy: { type: "string", description: "Proxy URL for plain HTTP requests." },
      https_proxy: { type: "string", description: "Proxy URL for HTTPS requests." },
      password: { type: "string", secret: true, description: "Basic-auth password." },
      url: { type: "string", required: true, description: "URL to request." },
      username: { type: "string", description: "Basic-auth user name." },
      verify_ssl_cert: {
        type: "boolean",
        default: true,
        description: "Check the server's TLS certificate; false skips the check.",
      },
      url_hosts_blacklist: {
        type: "array",
        required: false,
        items: { type: "string" },
        description: "Hosts the action must not contact; requests to them fail.",
      },
      url_hosts_whitelist: {
        type: "array",
        required: false,
        items: { type: "string" },
        description: "When set, the only hosts the action may contact.",
      },
    },
    output_key: "body",
    output_schema: {
      type: "object",
      properties: {
        status_code: { type: "integer" },
        body: ANY_VALUE,
        parsed: { type: "boolean" },
        headers: { type: "object" },
      },
      additionalProperties: false,
    },
  },
  {
    name: "noop",
    description: "Succeeds at once without doing anything.",
    enabled: true,
    runner_parameters: {},
  },
  {
    name: "orquesta",
    description: "Runs an Orquesta workflow.",
    enabled: true,
    pausable: true,
    runner_parameters: {
      notify: {
        type: "array",
        default: [],
        uniqueItems: true,
        items: { type: "string", minLength: 1, pattern: "^\\w+$" },
        description: "Tasks whose completion sends notifications.",
      },
    },
    output_key: "output",
    output_schema: {
      type: "object",
      properties: {
        errors: { anyOf: [{ type: "object" }, { type: "array" }] },
        output: ANY_VALUE,
      },
      additionalProperties: false,
    },
  },
  {
    name: "action-chain",
    description: "Runs a linear chain of actions.",
    enabled: true,
    pausable: true,
    runner_parameters: {
      display_published: {
        type: "boolean",
        default: true,
        description: "Keep published variables in the result as the chain runs.",
      },
      skip_notify: {
        type: "array",
        default: [],
        description: "Tasks that send no notifications.",
      },
    },
    output_key: "published",
    output_schema: {
      type: "object",
      properties: { published: { type: "object" }, tasks: { type: "array" } },
      additionalProperties: false,
    },
  },
  {
    name: "inquirer",
    description: "Pauses for a human answer that matches a schema.",
    enabled: true,
    runner_parameters: {
      schema: {
        type: "object",
        required: true,
        default: {
          title: "response_data",
          type: "object",
          properties: {
            continue: {
              type: "boolean",
              description: "Would you like to continue the workflow?",
              required: true,
            },
          },
        },
        description: "JSON schema the response must satisfy.",
      },
      route: {
        type: "string",
        default: "",
        required: false,
        description: "Free-form value rules can use to route the question to a channel.",
      },
      roles: {
        type: "array",
        default: [],
        required: false,
        description: "Roles allowed to answer (all when empty; needs RBAC).",
      },
      users: {
        type: "array",
        default: [],
        required: false,
        description: "Users allowed to answer (all when empty).",
      },
      ttl: {
        type: "integer",
        default: 1440,
        required: true,
        description: "Minutes to wait for an answer before the inquiry times out.",
      },
    },
  },
  {
    name: "announcement",
    description: "Publishes its parameters as an announcement event on the stream.",
    enabled: true,
    runner_parameters: {
      experimental: {
        type: "boolean",
        default: false,
        required: true,
        description: "Acknowledges that this runner is experimental.",
      },
      route: {
        type: "string",
        default: "general",
        minLength: 1,
        maxLength: 255,
        description: "Routing key the announcement is published under (dot-separated words).",
      },
    },
  },
];

export function findRunnerType(
  name: string,
  runners: readonly RunnerType[] = BUILTIN_RUNNER_TYPES,
): RunnerType | undefined {
  return runners.find((r) => r.name === name);
}
