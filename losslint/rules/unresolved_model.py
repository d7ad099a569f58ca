"""## What it does
Reports a `compile()` that passes a loss, or a loss called on a model's output in a training
loop, whose output activation, unit count or loss could not be resolved statically (the message
says which part). Opt-in: `--select LL901 --statistics` measures how
much of a code base losslint can see.

Not reported: a `compile()` without a loss (nothing to resolve), a loss the user wrote (a function or `Loss` subclass: custom, not unresolved, whatever
the output it receives), an output the loss leaves untrained (`loss=[loss_fn, None]`) and a
unit count read from the data (`len(class_names)`, `y.shape[1]`: the rules that need no count
still run). `benchmarks/static_coverage.py DIR` counts these apart.

## Why is this bad?
It is not: losslint stays silent when it cannot prove what the compiled model outputs. This
notice shows where that happened, so coverage can be measured and improved.

## Example
```python
import keras

model = keras.models.load_model("model.keras")
model.compile(optimizer="adam", loss="categorical_crossentropy")
```

## Use instead
Nothing to change; the runtime hook (`losslint.install()`) sees the live model.

## Fix safety
No fix.

## Known false positives
By design every model built outside the analysed file is reported.

## Keras behaviour
Not applicable: this is a notice of the static analyzer.
"""

from ..diagnostics import Finding
from ..registry import rule


@rule(code="LL901", name="unresolved-model", default=False, runtime=False)
def check(model):
    if model.unresolved:
        yield Finding(
            anchor=model.ref,
            message=f"could not resolve the {', '.join(model.unresolved)} of `{model.site_text}`",
            help="the runtime hook (`losslint.install()`) checks it when the program runs",
        )
