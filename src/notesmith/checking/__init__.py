"""`notesmith check`: rules, the checks, the trees they read (disk or git index), fixes, output.

The check path stays light: nothing here imports the process, llm or openai packages."""
