"""Read-only representations from serializers built once per thread, not once per call.

Building a serializer's fields (and its nested serializers' fields) takes longer than turning a
row into JSON with them: for one recommendation, two thirds of the serializing. A serializer
whose fields never depend on the caller or the instance (its representation may: the request
comes in its context at each call) is built once per thread and handed each call's context.
"""

import threading

_built = threading.local()


def represent(serializer_class, instance, context: dict):
    """What `serializer_class(instance, context=context).data` holds, as a plain dict."""
    serializers = getattr(_built, "serializers", None)
    if serializers is None:
        serializers = _built.serializers = {}
    if serializer_class in _busy():
        # Already representing something up the stack (a serializer nested in itself).
        return serializer_class(instance, context=context).data
    serializer = serializers.get(serializer_class)
    if serializer is None:
        serializer = serializers[serializer_class] = serializer_class(context={})
        serializer.fields  # noqa: B018  (built now, once)
    _busy().add(serializer_class)
    serializer._context = context
    try:
        return serializer.to_representation(instance)
    finally:
        # Holds no request between calls.
        serializer._context = {}
        _busy().discard(serializer_class)


def _busy() -> set:
    busy = getattr(_built, "busy", None)
    if busy is None:
        busy = _built.busy = set()
    return busy
