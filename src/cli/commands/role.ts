/** `squall role list|get` and `squall role-assignment list|get` over the RBAC views. */

import type { Command } from "commander";
import { renderData, renderRecord, renderTable, type TableColumn } from "../format.ts";
import { type CliRuntime, type CommandContext, runCommand } from "../runtime.ts";

interface RoleView {
  id: string;
  name: string;
  description?: string;
  system?: boolean;
  permission_grant_objects?: Array<{ resource_uid: string | null; permission_types: string[] }>;
}

interface AssignmentView {
  id: string;
  user: string;
  role: string;
  source?: string;
  is_remote?: boolean;
  /** Remote assignments: the group whose mapping gave the role. */
  group?: string;
  description?: string;
}

const ROLE_COLUMNS: ReadonlyArray<TableColumn<RoleView>> = [
  { header: "id", value: (r) => r.id },
  { header: "name", value: (r) => r.name },
  { header: "system", value: (r) => r.system },
  { header: "description", value: (r) => r.description, maxWidth: 60, flex: true },
];

const ASSIGNMENT_COLUMNS: ReadonlyArray<TableColumn<AssignmentView>> = [
  { header: "id", value: (a) => a.id },
  { header: "user", value: (a) => a.user },
  { header: "role", value: (a) => a.role },
  { header: "remote", value: (a) => a.is_remote === true },
  { header: "source", value: (a) => a.source, maxWidth: 50, flex: true },
];

function print<T>(ctx: CommandContext, rows: T[], columns: ReadonlyArray<TableColumn<T>>) {
  const data = renderData(ctx.format, rows);
  ctx.print(data ?? renderTable(columns, rows, ctx.io.columns));
}

export function registerRoleCommands(program: Command, runtime: CliRuntime): void {
  const role = program.command("role").description("Browse RBAC roles.");
  role
    .command("list")
    .description("List roles (administrators only).")
    .option("-s, --system", "only system roles")
    .action(async (options: { system?: boolean }, command: Command) => {
      await runCommand(runtime, command, async (ctx) => {
        const roles = await ctx.client.listAll<RoleView>("/api/v1/rbac/roles", {
          system: options.system ? "true" : undefined,
        });
        print(ctx, roles, ROLE_COLUMNS);
        return 0;
      });
    });
  role
    .command("get")
    .description("Show a role and its permission grants.")
    .argument("<name-or-id>")
    .action(async (id: string, _options: unknown, command: Command) => {
      await runCommand(runtime, command, async (ctx) => {
        const found = await ctx.client.getOne<RoleView>(
          "role",
          id,
          `/api/v1/rbac/roles/${encodeURIComponent(id)}`,
        );
        const data = renderData(ctx.format, found);
        ctx.print(
          data ??
            renderRecord(found, [
              "id",
              "name",
              "description",
              "system",
              "permission_grant_objects",
            ]),
        );
        return 0;
      });
    });

  const assignment = program.command("role-assignment").description("Browse who holds which role.");
  assignment
    .command("list")
    .description("List role assignments (yours, or anyone's for administrators).")
    .option("-u, --user <user>", "only this user's")
    .option("-r, --role <role>", "only this role's")
    .option("--source <file>", "only those from this definition file")
    .option("--remote", "only those mapped from groups")
    .action(
      async (
        options: { user?: string; role?: string; source?: string; remote?: boolean },
        command: Command,
      ) => {
        await runCommand(runtime, command, async (ctx) => {
          const rows = await ctx.client.listAll<AssignmentView>("/api/v1/rbac/role_assignments", {
            user: options.user,
            role: options.role,
            source: options.source,
            remote: options.remote ? "true" : undefined,
          });
          print(ctx, rows, ASSIGNMENT_COLUMNS);
          return 0;
        });
      },
    );
  assignment
    .command("get")
    .description("Show one role assignment.")
    .argument("<id>")
    .action(async (id: string, _options: unknown, command: Command) => {
      await runCommand(runtime, command, async (ctx) => {
        const found = await ctx.client.getOne<AssignmentView>(
          "role assignment",
          id,
          `/api/v1/rbac/role_assignments/${encodeURIComponent(id)}`,
        );
        const data = renderData(ctx.format, found);
        ctx.print(
          data ??
            renderRecord(found, [
              "id",
              "user",
              "role",
              "is_remote",
              "group",
              "source",
              "description",
            ]),
        );
        return 0;
      });
    });
}
