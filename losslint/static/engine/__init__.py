"""The one abstract interpreter of Python every framework library plugs into.

`interpreter.py` executes a module's statements (branches merged, short literal loops unrolled,
comprehensions), evaluates expressions and calls, and asks the framework libraries what a call of
theirs means (`static/keras/`, `static/torch/`, `static/hf/`, `static/jax/`); `usercode.py` runs the
program's own functions and classes at their call sites with the arguments bound, and once with
unknown arguments what no call reached; `project.py` follows imports of the project's own modules
through summaries computed once per run; `values.py` is the one vocabulary of abstract values;
`env.py` holds scopes. The engine knows no framework's semantics; it only routes to them.
"""
