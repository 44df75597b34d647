import { defineCommand, type ArgsDef, type CommandDef } from "citty";

export type RwCommandDef<T extends ArgsDef = ArgsDef> = CommandDef<T> & { examples?: string[] };

/** citty's defineCommand plus usage examples shown by `--help`. */
export function defineRw<const T extends ArgsDef = ArgsDef>(def: RwCommandDef<T>): RwCommandDef<T> {
  return defineCommand(def);
}
