// The synced functions, indexed for event matching. Loaded from the database on start and
// replaced per app on every sync.
import { compileFunction, eventNameMatches, type EngineFunction, type FunctionConfig } from "./functions";

export class Registry {
  private byId = new Map<string, EngineFunction>();

  get(id: string): EngineFunction | undefined {
    return this.byId.get(id);
  }

  all(): EngineFunction[] {
    return [...this.byId.values()];
  }

  /** Replace the functions of one app. */
  replaceApp(appUrl: string, functions: EngineFunction[]): void {
    for (const [id, fn] of this.byId) if (fn.appUrl === appUrl) this.byId.delete(id);
    for (const fn of functions) this.byId.set(fn.id, fn);
  }

  load(rows: Array<{ app_url: string; config: Record<string, unknown> }>): void {
    for (const row of rows) {
      const fn = compileFunction(row.app_url, row.config as unknown as FunctionConfig);
      this.byId.set(fn.id, fn);
    }
  }

  /** Functions with an event trigger on this name (the expression is checked by the caller). */
  triggeredBy(name: string): Array<{ fn: EngineFunction; expression?: string }> {
    const found: Array<{ fn: EngineFunction; expression?: string }> = [];
    for (const fn of this.byId.values()) {
      for (const trigger of fn.eventTriggers) {
        if (eventNameMatches(trigger.event, name)) found.push({ fn, expression: trigger.expression });
      }
    }
    return found;
  }

  /** Event names some function cancels on; other events skip the cancellation lookup. */
  cancelEventNames(): Set<string> {
    return new Set(this.all().flatMap((fn) => fn.cancel.map((c) => c.event)));
  }
}
