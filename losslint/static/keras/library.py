"""Keras and TensorFlow calls as the one interpreter reads them (a mixin of
`static.engine.interpreter.Interpreter`).

What `Sequential([...])`, `Model(inputs, outputs)`, `Dense(10, activation="softmax")`, `Activation`,
`Lambda`, `keras.applications`, keras_hub task models, premade models, TF1 graph layers and
hand-written `tf.matmul(x, W) + b` produce; loss objects and metrics; what a model's `add`,
`compile`, `fit`, `save` and `load_model` do. Every `compile()` met is recorded as a
`CompileCall` with what the model outputs at that point.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from ... import knowledge as k
from ...diagnostics import SourceRef
from ..callargs import arg as _arg, positional as _positional
from ..engine.env import Env
from ..engine.values import (
    UNKNOWN, Activation, Const, FromData, Layer, Loss, Metric, Model, Placeholder, Seq, Slice, Symbol, Tensor,
    WeightMatrix,
    describe, int_value as _int, model_outputs,
)

_OPAQUE_MODEL_FACTORIES = ("keras.models.load_model", "keras.saving.load_model")
_CLONE = ("keras.models.clone_model",)
_SAVE_MODEL_FUNCTIONS = ("keras.models.save_model", "keras.saving.save_model")


@dataclass
class CompileCall:
    node: cst.Call
    ref: SourceRef
    model: Model
    outputs: list | None  # model_outputs() at the time of the call
    loss: object
    metrics: object
    fits: list = field(default_factory=list)  # (labels value, text) of each fit of this compile
    has_loss: bool = True  # False: `compile(optimizer=...)` alone, nothing to resolve
    overridden: bool = False  # compiled again before any fit: this loss never trains (not judged)
    fit_refs: list = field(default_factory=list)  # where each of those fit calls is written
    # (labels value, text, ref) of fits in a branch a literal flag disables (`if TRAIN:` with TRAIN = False):
    # judged only when no fit that runs reaches this compile
    disabled_fits: list = field(default_factory=list)



class KerasLibrary:
    """What Keras and TensorFlow calls mean; the engine consults it (see the module docstring)."""

    def keras_call_symbol(self, symbol: str, node: cst.Call, env: Env) -> object:
        """The value of a call to a Keras / TensorFlow name, or of a label source the Keras library
        reads (NumPy, pandas, scikit-learn): UNKNOWN when it is none we know."""
        if symbol in k.INPUT:
            return Tensor(None)
        if symbol in k.SEQUENTIAL:
            layers_node = _arg(node, "layers", 0)
            layers = self.eval(layers_node, env) if layers_node is not None else Seq([], self.ref(node))
            items = list(layers.items) if isinstance(layers, Seq) else [UNKNOWN]
            return Model("sequential", self.ref(node), layers=items, level=self.conditional)
        if symbol in k.FUNCTIONAL:
            outputs = _arg(node, "outputs", 1)
            if outputs is None:
                return Model("opaque", self.ref(node))
            return Model("functional", self.ref(node), outputs=self.eval(outputs, env))
        if symbol in k.LOSS_BY_CLASS:
            return self.make_loss_object(symbol, node, env)
        loss_value = self.call_loss_function(symbol, node, env)  # `keras.losses.mse(y, model(x))`
        if loss_value is not None:
            return loss_value
        if symbol in k.METRIC_BY_FUNCTION and symbol.split(".")[-1][:1].isupper():
            written = _arg(node, "threshold", None)
            threshold = self.eval(written, env) if written is not None else Const(0.5, None)
            threshold = threshold.value if isinstance(threshold, Const) and isinstance(threshold.value, (int, float)) \
                and not isinstance(threshold.value, bool) else None
            return Metric(k.METRIC_BY_FUNCTION[symbol], symbol.split(".")[-1] + "()", self.ref(node), threshold)
        if symbol in k.ACTIVATION_GETTERS:  # `activations.get("softmax")`: the function it names
            args = _positional(node)
            value = self.eval(args[0], env) if args else UNKNOWN
            if isinstance(value, Const) and (value.value is None or value.value in k.ACTIVATION_BY_STRING):
                name = k.ACTIVATION_BY_STRING[value.value] if value.value is not None else "linear"
                return Symbol(f"keras.activations.{name}", value.ref or self.ref(node))
            return value if isinstance(value, Symbol) and value.name in k.ACTIVATION_BY_FUNCTION else UNKNOWN
        if symbol in k.ACTIVATION_BY_FUNCTION:  # tf.nn.softmax(x) applied to a tensor
            args = _positional(node)
            if len(args) >= 1:
                op = self.wrapper.module.code_for_node(node.func)
                return Tensor(Activation(k.ACTIVATION_BY_FUNCTION[symbol], self.ref(node), op=op),
                              self.eval(args[0], env))
            return UNKNOWN
        if symbol == "keras.layers.Lambda":
            return self.make_lambda_layer(node, env)
        if symbol.startswith("keras.layers."):
            layer = self.make_layer(symbol, node, env)
            if layer.spec is not None and layer.spec.role is k.LayerRole.MERGE and layer.class_name[:1].islower():
                args = _positional(node)  # `layers.concatenate([a, b])`: the merged tensor itself
                return Tensor(layer, self.eval(args[0], env) if args else UNKNOWN)
            return layer
        if symbol in _CLONE:
            args = _positional(node)
            source = self.eval(args[0], env) if args else UNKNOWN
            return source.copy(self.ref(node)) if isinstance(source, Model) else Model("opaque", self.ref(node))
        if symbol.startswith("keras.applications.") and symbol.rsplit(".", 1)[1][:1].isupper():
            return self.make_application(symbol, node, env)
        if symbol in _OPAQUE_MODEL_FACTORIES:
            return self.load_model(node, env)
        if symbol in _SAVE_MODEL_FUNCTIONS:  # `keras.models.save_model(model, "clf.keras")`
            args = _positional(node)
            model = self.eval(args[0], env) if args else UNKNOWN
            path_node = _arg(node, "filepath", 1)
            self.save_model(model, self.eval(path_node, env) if path_node is not None else UNKNOWN, node)
            return Const(None, self.ref(node))
        task = k.task_head(symbol)
        if task is not None:
            return self.make_task_model(task, symbol, node, env)
        if symbol in (k.LINEAR_MODEL, k.WIDE_DEEP_MODEL):
            return self.make_premade_model(symbol, node, env)
        if symbol in k.LIBRARY_HEADS:
            return self.make_library_head(k.LIBRARY_HEADS[symbol], symbol, node, env)
        if symbol in k.DEPTH_TO_SPACE_OPS:  # `tf.nn.depth_to_space(x, upscale_factor)`
            return self.depth_to_space(node, env)
        if symbol == k.TF1_PLACEHOLDER:
            self._eval_args(node, env)
            return Placeholder(self.ref(node))
        if symbol in k.TFLEARN_REGRESSION:  # `tflearn.regression(net, loss=...)`: the loss meets `net`
            return self.tflearn_regression(node, env)
        if symbol in k.FUNCTIONAL_LAYERS:  # `tf.layers.dense(x, 10)`
            return self.apply_functional_layer(k.FUNCTIONAL_LAYERS[symbol], node, env)
        if symbol in k.MATMUL_OPS:  # `tf.matmul(h, W)`: a linear layer written by hand
            operands = [self.eval(a, env) for a in _positional(node)]
            self._eval_args(node, env, skip=tuple(_positional(node)))
            if len(operands) < 2 or isinstance(operands[1], Tensor):
                return UNKNOWN  # not a weight variable: `tf.matmul(routing, softmax(pi))` mixes probabilities
            layer = Layer(self.wrapper.module.code_for_node(node.func), k.LAYERS["keras.layers.Dense"], self.ref(node))
            layer.activation = Activation("linear", layer.ref)
            if isinstance(operands[1], WeightMatrix):  # `tf.Variable(tf.random_normal([256, 10]))`: 10 units
                layer.units, layer.units_from_data = operands[1].units, operands[1].units_from_data
            return Tensor(layer, UNKNOWN)
        if symbol in k.BATCH_CONCAT_OPS:  # `tf.concat([d_real, d_fake], axis=0)`: the same outputs, more rows
            values_node, axis_node = _arg(node, "values", 0), _arg(node, "axis", 1)
            values = self.eval(values_node, env) if values_node is not None else UNKNOWN
            axis = self.eval(axis_node, env) if axis_node is not None else UNKNOWN
            self._eval_args(node, env, skip=(values_node, axis_node))
            if isinstance(axis, Const) and axis.value == 0 and isinstance(values, Seq) and values.items \
                    and all(isinstance(v, Tensor) for v in values.items):
                described = [describe(v) for v in values.items]
                if all(d is not None and d.activation is not None for d in described) and len(
                        {(d.activation.id, d.units) for d in described}) == 1:
                    return values.items[0]
            return UNKNOWN
        if symbol in k.WEIGHT_INITIALIZERS or symbol in k.WEIGHT_VARIABLES:
            shape_node = _arg(node, *(k.WEIGHT_INITIALIZERS.get(symbol) or k.WEIGHT_VARIABLES[symbol]))
            value = self.eval(shape_node, env) if shape_node is not None else UNKNOWN
            self._eval_args(node, env, skip=(shape_node,))
            if symbol in k.WEIGHT_VARIABLES:
                return value if isinstance(value, WeightMatrix) else UNKNOWN
            if isinstance(value, Seq) and len(value.items) >= 2:
                return WeightMatrix(_int(value.items[-1]), self.ref(node), isinstance(value.items[-1], FromData))
            return UNKNOWN
        if symbol in k.BIAS_OPS:  # `tf.add(tf.matmul(h, W), b)`
            args = [self.eval(a, env) for a in _positional(node)]
            self._eval_args(node, env, skip=tuple(_positional(node)))
            biased = bias_added(*args) if len(args) == 2 else None
            return biased if biased is not None else UNKNOWN  # evaluated once: `tf.add(tf.add(...))` stays linear time
        if symbol in k.SHAPE_OPS or symbol in k.CAST_OPS:  # `tf.squeeze(probs, -1)`, `ops.cast(x, "float32")`
            args = _positional(node)
            first = self.eval(args[0], env) if args else UNKNOWN
            if isinstance(first, Tensor):
                return Tensor(Slice(symbol in k.CAST_OPS, self.ref(node)), first)
        labels = self.label_symbol_call(symbol, node, env)
        if labels is not None:
            return labels
        self._eval_args(node, env)
        return UNKNOWN

    def make_application(self, symbol: str, node: cst.Call, env: Env) -> Model:
        """`keras.applications.X(...)`: with the default `include_top=True` it ends in a
        `Dense(classes, activation=classifier_activation)`; without the top it is opaque."""
        head = k.APPLICATION_HEAD
        ref = self.ref(node)
        values = self.keyword_values(node, env)
        include_top = values.get("include_top", Const(True, ref))
        if not isinstance(include_top, Const) or include_top.value is not True or _positional(node):
            return Model("opaque", ref)
        classes = values.get(head.classes_keyword, Const(head.default_classes, ref))
        activation_node = _arg(node, head.activation_keyword, None)
        layer = Layer(symbol.rsplit(".", 1)[1], k.LAYERS["keras.layers.Dense"], ref)
        if isinstance(classes, Const) and isinstance(classes.value, int) and not isinstance(classes.value, bool):
            layer.units = classes.value
        layer.units_from_data = isinstance(classes, FromData)  # `classes=ds_info.features["label"].num_classes`
        layer.activation = (self.make_activation(activation_node, env) if activation_node is not None
                            else Activation(head.default_activation, ref))
        return Model("functional", ref, outputs=Tensor(layer, UNKNOWN))

    def make_task_model(self, task: k.TaskHead, symbol: str, node: cst.Call, env: Env) -> Model:
        """`keras_hub.models.BertClassifier.from_preset(..., num_classes=4)`: ends in a Dense head."""
        ref = self.ref(node)
        values = self.keyword_values(node, env)
        layer = Layer(symbol.split(".")[2], k.LAYERS["keras.layers.Dense"], ref)
        if task.logits:
            layer.activation = Activation("linear", ref)
            layer.units_from_data = True  # the vocabulary of the preset
            return Model("functional", ref, outputs=Tensor(layer, UNKNOWN))
        classes = values.get(task.classes_keyword, UNKNOWN)
        layer.units = _int(classes)
        layer.inferred = True
        layer.units_from_data = isinstance(classes, FromData)
        activation_node = _arg(node, task.activation_keyword, None)
        if activation_node is not None:
            layer.activation = self.make_activation(activation_node, env)
        elif task.default_activation is not None:
            layer.activation = Activation(task.default_activation, ref)
        return Model("functional", ref, outputs=Tensor(layer, UNKNOWN))

    def depth_to_space(self, node: cst.Call, env: Env) -> object:
        """The channels of `x` spread over `block`×`block` pixels: `channels / block²` remain."""
        tensor_node, block_node = _arg(node, "input", 0), _arg(node, "block_size", 1)
        tensor = self.eval(tensor_node, env) if tensor_node is not None else UNKNOWN
        block = _int(self.eval(block_node, env)) if block_node is not None else None
        if not isinstance(tensor, Tensor):
            return UNKNOWN
        layer = Layer("depth_to_space", k.DEPTH_TO_SPACE, self.ref(node))
        below = describe(tensor)
        if below is not None and below.units and block and below.units % (block * block) == 0:
            layer.target_units = below.units // (block * block)
        return Tensor(layer, tensor)

    def apply_functional_layer(self, spec: k.FunctionalLayerSpec, node: cst.Call, env: Env) -> object:
        """`tf.layers.dense(x, 10, activation=tf.nn.softmax)`: the layer applied to `x`, as
        `Dense(10, activation="softmax")(x)` would be."""
        inputs_node = _arg(node, *k.FUNCTIONAL_LAYER_INPUTS)
        units_node, activation_node = _arg(node, spec.units_keyword, 1), _arg(node, *spec.activation_arg)
        self._eval_args(node, env, skip=(inputs_node, units_node, activation_node))
        inputs = self.eval(inputs_node, env) if inputs_node is not None else UNKNOWN
        layer = Layer(spec.layer.rsplit(".", 1)[1], k.LAYERS[spec.layer], self.ref(node))
        units = self.eval(units_node, env) if units_node is not None else UNKNOWN
        layer.units = _int(units)
        layer.inferred = isinstance(units, Const) and (units.ref is None or not self.inside(units.ref, layer.ref))
        layer.units_from_data = isinstance(units, FromData)
        layer.activation = (self.make_activation(activation_node, env) if activation_node is not None
                            else Activation(spec.default_activation, layer.ref))
        return Tensor(layer, inputs)

    def make_lambda_layer(self, node: cst.Call, env: Env) -> Layer:
        """`Lambda(tf.exp)`, `Lambda(lambda z: tf.nn.softmax(z))`: an activation layer when the function
        is a known activation of the input alone; any other function is a layer we do not model."""
        layer = Layer("Lambda", None, self.ref(node))
        function = _arg(node, "function", 0)
        self._eval_args(node, env, skip=(function,))
        applied = function
        if isinstance(function, cst.Lambda):
            params = function.params
            body = function.body
            only = params.params[0].name.value if len(params.params) == 1 and not (
                params.posonly_params or params.kwonly_params or isinstance(params.star_arg, cst.Param)
                or params.star_kwarg) else None
            applied = body.func if (only and isinstance(body, cst.Call) and len(body.args) == 1
                                    and body.args[0].keyword is None and not body.args[0].star
                                    and isinstance(body.args[0].value, cst.Name)
                                    and body.args[0].value.value == only) else None
            if only and _scales(body, only):  # `Lambda(lambda x: x * 200.0)`: an affine rescaling
                layer.spec = k.LAYERS["keras.layers.Rescaling"]
                return layer
        value = self._symbol(applied, env) if isinstance(applied, (cst.Name, cst.Attribute)) else UNKNOWN
        activation_id = k.ACTIVATION_BY_FUNCTION.get(value.name) if isinstance(value, Symbol) else None
        if activation_id is not None:
            layer.spec = k.LAYERS["keras.layers.Activation"]
            layer.activation = Activation(activation_id, self.ref(function))
        return layer

    def make_premade_model(self, symbol: str, node: cst.Call, env: Env) -> Model:
        """`LinearModel(units=1)`: a Dense head; `WideDeepModel(linear, dnn)`: the sum of their outputs."""
        ref = self.ref(node)
        if symbol == k.LINEAR_MODEL:
            units_node, activation_node = _arg(node, "units", 0), _arg(node, "activation", 1)
            self._eval_args(node, env, skip=(units_node, activation_node))
            layer = Layer("LinearModel", k.LAYERS["keras.layers.Dense"], ref)
            units = self.eval(units_node, env) if units_node is not None else Const(1, ref)
            layer.units = _int(units)
            layer.units_from_data = isinstance(units, FromData)
            layer.activation = (self.make_activation(activation_node, env) if activation_node is not None
                                else Activation("linear", ref))
            return Model("functional", ref, outputs=Tensor(layer, UNKNOWN))
        linear_node, dnn_node, activation_node = (_arg(node, "linear_model", 0), _arg(node, "dnn_model", 1),
                                                  _arg(node, "activation", 2))
        parts = [self.eval(n, env) if n is not None else UNKNOWN for n in (linear_node, dnn_node)]
        self._eval_args(node, env, skip=(linear_node, dnn_node, activation_node))
        if not all(isinstance(part, Model) for part in parts):
            return Model("opaque", ref)
        total = Tensor(Layer("WideDeepModel", k.LAYERS["keras.layers.Add"], ref),
                       Seq([Tensor(part, UNKNOWN) for part in parts], ref))
        if activation_node is not None:
            total = Tensor(Layer("WideDeepModel", k.LAYERS["keras.layers.Activation"], ref,
                                 activation=self.make_activation(activation_node, env)), total)
        return Model("functional", ref, outputs=total)

    def make_library_head(self, head: k.LibraryHead, symbol: str, node: cst.Call, env: Env) -> Layer:
        """`keras_hub.layers.MaskedLMHead(vocabulary_size=V, activation=...)`: a Dense(V) head."""
        ref = self.ref(node)
        values = self.keyword_values(node, env)
        layer = Layer(symbol.rsplit(".", 1)[1], k.LAYERS["keras.layers.Dense"], ref)
        units = values.get(head.units_keyword)
        layer.units = _int(units) if units is not None else None
        layer.units_from_data = isinstance(units, FromData) or (
            units is None and head.units_from_keyword is not None and head.units_from_keyword in values)
        activation_node = _arg(node, head.activation_keyword, None)
        layer.activation = (self.make_activation(activation_node, env) if activation_node is not None
                            else Activation(head.default_activation, ref))
        return layer

    def make_layer(self, symbol: str, node: cst.Call, env: Env) -> Layer:
        spec = k.LAYERS.get(symbol)
        class_name = symbol.rsplit(".", 1)[1]
        layer = Layer(class_name, spec, self.ref(node))
        name = _arg(node, "name", None)
        if name is not None:
            value = self.eval(name, env)
            layer.name = value.value if isinstance(value, Const) and isinstance(value.value, str) else None
        if spec is None:
            return layer
        keras0 = None  # Keras 0.x `Dense(128, 2)`: an int where Keras 1+ has the activation
        if spec.keras0_units_position is not None and _arg(node, None, spec.keras0_units_position) is not None:
            old = self.eval(_arg(node, None, spec.keras0_units_position), env)
            keras0 = old if isinstance(old, Const) and type(old.value) is int else None
        if spec.units_arg:
            units_node = _arg(node, *spec.units_arg)
            if units_node is None and spec.legacy_units_keyword:
                units_node = _arg(node, spec.legacy_units_keyword, None)
            value = self.eval(units_node, env) if units_node is not None else UNKNOWN
            if keras0:
                value = keras0  # Keras 0.x `Dense(input_dim, output_dim)`: the second is the unit count
            if isinstance(value, Const) and isinstance(value.value, int) and not isinstance(value.value, bool):
                layer.units = value.value
                layer.inferred = value.ref is None or not self.inside(value.ref, layer.ref)
            layer.units_from_data = isinstance(value, FromData)
        if spec.role is k.LayerRole.SHAPE and spec.name == "Reshape":
            shape = self.eval(_arg(node, "target_shape", 0), env) if _arg(node, "target_shape", 0) else UNKNOWN
            if isinstance(shape, Seq) and shape.items:
                layer.target_units = _int(shape.items[-1]) if (_int(shape.items[-1]) or 0) > 0 else None
            # `Reshape(x_train.shape[1:])`: the last axis is the data's
            layer.units_from_data = isinstance(shape, FromData) or (
                isinstance(shape, Seq) and bool(shape.items) and isinstance(shape.items[-1], FromData))
        if spec.role is k.LayerRole.SHAPE and spec.keeps_units:
            data_format = _arg(node, "data_format", None)
            if isinstance(data_format, cst.Call) and (self.names.symbol(data_format.func) or "").endswith(
                    ".image_data_format"):
                data_format = None  # the global setting, "channels_last" unless configured otherwise
            value = self.eval(data_format, env) if data_format is not None else Const("channels_last", None)
            if not (isinstance(value, Const) and value.value in ("channels_last", None)):
                layer.spec = None  # channels first: the last axis is not the channels
                return layer
        if spec.merge == "concatenate":
            axis_node = _arg(node, "axis", 0 if class_name[:1].isupper() else 1)
            axis = self.eval(axis_node, env) if axis_node is not None else Const(-1, None)
            if not (isinstance(axis, Const) and axis.value == -1):
                layer.merge = "other-axis"
        if symbol in k.ACTIVATION_BY_LAYER:
            layer.activation = Activation(k.ACTIVATION_BY_LAYER[symbol], layer.ref)
        elif spec.activation_arg:
            activation_node = _arg(node, *spec.activation_arg)
            if keras0:
                activation_node = _arg(node, spec.activation_arg[0], None)
            if activation_node is None:
                layer.activation = Activation(spec.default_activation, layer.ref)
            else:
                layer.activation = self.make_activation(activation_node, env)
        if spec.role is k.LayerRole.WRAPPER:
            args = _positional(node)
            inner = self.eval(args[0], env) if args else UNKNOWN
            layer.inner = inner if isinstance(inner, Layer) else None
        return layer

    def make_activation(self, node: cst.CSTNode, env: Env) -> Activation:
        value = self.eval(node, env)
        ref = self.ref(node)
        activation_id = None
        if isinstance(value, Const):
            ref = value.ref
            if value.value is None:
                activation_id = "linear"
            elif isinstance(value.value, str):
                activation_id = k.ACTIVATION_BY_STRING.get(value.value)
        elif isinstance(value, Symbol):
            activation_id = k.ACTIVATION_BY_FUNCTION.get(value.name)
        elif isinstance(value, Layer):
            activation_id = k.ACTIVATION_BY_LAYER.get(f"keras.layers.{value.class_name}")
        inferred = not (self.ref(node) == ref)
        return Activation(activation_id, ref, inferred=inferred)

    def make_loss_object(self, symbol: str, node: cst.Call, env: Env) -> Loss:
        loss_id = k.LOSS_BY_CLASS[symbol]
        keyword = _arg(node, "from_logits", None)
        if keyword is None and _positional(node):
            # only the plain cross-entropies take from_logits as their first positional argument;
            # `Huber(2.0)` (delta) takes none at all
            if loss_id in k.FROM_LOGITS_FIRST_POSITIONAL:
                keyword = _positional(node)[0]
            elif k.LOSSES[loss_id].takes_from_logits:
                return Loss(loss_id, True, symbol.split(".")[-1], None, self.ref(node))
        from_logits: bool | None = False
        if keyword is not None:
            value = self.eval(keyword, env)
            from_logits = value.value if isinstance(value, Const) and isinstance(value.value, bool) else None
        return Loss(loss_id, True, symbol.split(".")[-1], from_logits, self.ref(node))

    def call_model_method(self, model: Model, method: str, node: cst.Call, env: Env,
                          keras_method: bool = False) -> object:
        own = model.user_class.lookup(method) if model.user_class and not keras_method else None
        if model.kind == "object" or own is not None and method in ("compile", "fit"):
            # a plain object's method, or a model class's own compile()/fit(): run what it does
            result = self.call_method(model, method, node, env)
            if result is None:
                self._eval_args(node, env)
            return result if result is not None else UNKNOWN
        if method == "add":
            args = _positional(node)
            layer = self.eval(args[0], env) if args else UNKNOWN
            model.layers.append(layer if isinstance(layer, (Layer, Model, Tensor)) else UNKNOWN)
            model.uncertain = self.conditional > model.level  # added in a branch the model was not built in
        elif method == "pop" and model.layers:
            model.layers.pop()
            model.uncertain = model.uncertain or self.conditional > model.level
        elif method == "compile":
            loss_node = _arg(node, "loss", 1)
            metrics_node = _arg(node, "metrics", None)
            call = CompileCall(
                node, self.ref(node), model, model_outputs(model),
                self.eval(loss_node, env) if loss_node is not None else UNKNOWN,
                self.eval(metrics_node, env) if metrics_node is not None else None,
                has_loss=loss_node is not None,
            )
            self.compiles.append(call)
            previous = getattr(model, "last_compile", None)
            if previous is not None and not previous.fits and self.conditional == 0:
                previous.overridden = True  # `compile()` again before any `fit`: the first never trains
            model.last_compile = call
        elif method in k.FIT_METHODS:
            labels, text = self.labels_at_fit(node, env, method)
            if getattr(self, "_disabled_branch", False):
                if model.last_compile is not None:
                    model.last_compile.disabled_fits.append((labels, text, self.ref(node)))
                return UNKNOWN
            if model.last_compile is not None:  # facts of this model object's latest compile
                model.last_compile.fits.append((labels, text))
                model.last_compile.fit_refs.append(self.ref(node))
            self.run_train_step(model, labels)
        else:
            result = self.call_method(model, method, node, env)
            if result is not None:
                return result
            self._eval_args(node, env)
            if method == "save" and own is None:
                path_node = _arg(node, "filepath", 0)
                self.save_model(model, self.eval(path_node, env) if path_node is not None else UNKNOWN, node)
        return UNKNOWN

    def save_model(self, model: object, path: object, node: cst.Call) -> None:
        """`model.save("clf.keras")`: a later `load_model("clf.keras")` in this program is this model
        as it is now. Saved in a branch, or a path we cannot read: what that path holds is unsure."""
        if not (isinstance(path, Const) and isinstance(path.value, str)):
            return
        certain = isinstance(model, Model) and model.kind in ("sequential", "functional") and self.conditional == 0
        self._saved_models[path.value] = model.copy(self.ref(node)) if certain else None

    def load_model(self, node: cst.Call, env: Env) -> Model:
        """`keras.models.load_model(path)`: the model this program saved at that literal path, else opaque."""
        path_node = _arg(node, "filepath", 0)
        path = self.eval(path_node, env) if path_node is not None else UNKNOWN
        self._eval_args(node, env, skip=(path_node,))
        saved = self._saved_models.get(path.value) if isinstance(path, Const) and isinstance(path.value, str) else None
        return saved.copy(self.ref(node)) if saved is not None else Model("opaque", self.ref(node))


def bias_added(left: object, right: object) -> Tensor | None:
    """`linear + b`: adding something that is not a tensor we follow (a bias variable) to a linear
    tensor leaves it linear; anything else (a sigmoid plus one) is not known."""
    for tensor, other in ((left, right), (right, left)):
        if isinstance(tensor, Tensor) and not isinstance(other, Tensor):
            description = describe(tensor)
            if description is not None and description.activation is not None \
                    and description.activation.id == "linear":
                return tensor
    return None


def _scales(body: cst.BaseExpression, name: str) -> bool:
    """`x * 200.0`, `100 * x`, `x / 255`, `x + 1.5`: the parameter scaled or shifted by a number."""
    if not isinstance(body, cst.BinaryOperation) or not isinstance(
            body.operator, (cst.Multiply, cst.Divide, cst.Add, cst.Subtract)):
        return False
    sides = (body.left, body.right)
    number = [s for s in sides if isinstance(s, (cst.Integer, cst.Float)) or (
        isinstance(s, cst.UnaryOperation) and isinstance(s.expression, (cst.Integer, cst.Float)))]
    named = [s for s in sides if isinstance(s, cst.Name) and s.value == name]
    return len(number) == 1 and len(named) == 1 and (
        body.right is number[0] or isinstance(body.operator, (cst.Multiply, cst.Add)))
