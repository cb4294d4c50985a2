"""An independent gRPC client of Tally's ingest service: Python grpcio (C-core), no generated code.

It learns the service from the server's reflection (as grpcurl or Postman would), builds the messages
from the descriptors it receives, calls the unary and the client-streaming method, sends a bad batch and
an unauthenticated call, decodes the rich status details, and prints one JSON line of what happened.
Usage: ingest_client.py HOST:PORT API_KEY RUN_ID
"""
import json
import sys

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory

F = descriptor_pb2.FieldDescriptorProto


def messages(package, specs):
    """Message classes from (name, [(field, number, type, label, type_name)]) specs."""
    file = descriptor_pb2.FileDescriptorProto(name=package.replace(".", "/") + "/client.proto", package=package, syntax="proto3")
    for name, fields in specs:
        message = file.message_type.add(name=name)
        for field, number, kind, label, type_name in fields:
            message.field.add(name=field, number=number, type=kind, label=label, type_name=type_name or None)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return {name: message_class(pool, f"{package}.{name}") for name, _ in specs}


def message_class(pool, full_name):
    """A message class in protobuf 4.22+ (GetMessageClass) and before (MessageFactory, as Debian 12 ships)."""
    descriptor = pool.FindMessageTypeByName(full_name)
    get = getattr(message_factory, "GetMessageClass", None)
    return get(descriptor) if get else message_factory.MessageFactory(pool).GetPrototype(descriptor)


OPT, REP = F.LABEL_OPTIONAL, F.LABEL_REPEATED
reflection = messages("grpc.reflection.v1alpha", [
    ("ServerReflectionRequest", [("host", 1, F.TYPE_STRING, OPT, None), ("file_containing_symbol", 4, F.TYPE_STRING, OPT, None), ("list_services", 7, F.TYPE_STRING, OPT, None)]),
    ("ServiceResponse", [("name", 1, F.TYPE_STRING, OPT, None)]),
    ("ListServiceResponse", [("service", 1, F.TYPE_MESSAGE, REP, ".grpc.reflection.v1alpha.ServiceResponse")]),
    ("FileDescriptorResponse", [("file_descriptor_proto", 1, F.TYPE_BYTES, REP, None)]),
    ("ErrorResponse", [("error_code", 1, F.TYPE_INT32, OPT, None), ("error_message", 2, F.TYPE_STRING, OPT, None)]),
    ("ServerReflectionResponse", [
        ("file_descriptor_response", 4, F.TYPE_MESSAGE, OPT, ".grpc.reflection.v1alpha.FileDescriptorResponse"),
        ("list_services_response", 6, F.TYPE_MESSAGE, OPT, ".grpc.reflection.v1alpha.ListServiceResponse"),
        ("error_response", 7, F.TYPE_MESSAGE, OPT, ".grpc.reflection.v1alpha.ErrorResponse")]),
])
rpc = messages("google.rpc", [
    ("Any", [("type_url", 1, F.TYPE_STRING, OPT, None), ("value", 2, F.TYPE_BYTES, OPT, None)]),
    ("Status", [("code", 1, F.TYPE_INT32, OPT, None), ("message", 2, F.TYPE_STRING, OPT, None), ("details", 3, F.TYPE_MESSAGE, REP, ".google.rpc.Any")]),
    ("FieldViolation", [("field", 1, F.TYPE_STRING, OPT, None), ("description", 2, F.TYPE_STRING, OPT, None)]),
    ("BadRequest", [("field_violations", 1, F.TYPE_MESSAGE, REP, ".google.rpc.FieldViolation")]),
])


def reflect(channel, **request):
    call = channel.stream_stream(
        "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
        request_serializer=lambda m: m.SerializeToString(),
        response_deserializer=reflection["ServerReflectionResponse"].FromString)
    return next(iter(call(iter([reflection["ServerReflectionRequest"](**request)]))))


def field_violations(error):
    for key, value in error.trailing_metadata() or []:
        if key == "grpc-status-details-bin":
            status = rpc["Status"].FromString(value)
            return [(v.field, v.description) for d in status.details if d.type_url.endswith("google.rpc.BadRequest")
                    for v in rpc["BadRequest"].FromString(d.value).field_violations]
    return []


def main():
    target, key, run = sys.argv[1], sys.argv[2], sys.argv[3]
    channel = grpc.insecure_channel(target)
    services = sorted(s.name for s in reflect(channel, list_services="*").list_services_response.service)
    files = reflect(channel, file_containing_symbol="tally.ingest.v1.IngestService").file_descriptor_response.file_descriptor_proto
    pool = descriptor_pool.DescriptorPool()
    pending = [descriptor_pb2.FileDescriptorProto.FromString(f) for f in files]
    while pending:  # dependencies first, in whatever order the server sent them
        ready = [f for f in pending if all(pool_has(pool, d) for d in f.dependency)]
        for f in ready:
            pool.Add(f)
        pending = [f for f in pending if f not in ready]
    service = pool.FindServiceByName("tally.ingest.v1.IngestService")
    batch_class = message_class(pool, "tally.ingest.v1.CloudEventBatch")

    def Batch(events):
        return json_format.ParseDict({"events": events}, batch_class())

    Reply = message_class(pool, "tally.ingest.v1.IngestReply")
    auth = [("authorization", f"Bearer {key}")]

    def event(i, tokens=5, subject="cust-1"):
        e = {"id": f"{run}-{i}", "source": "python-grpcio", "spec_version": "1.0", "type": "prompt",
             "attributes": {"time": {"ce_string": "2026-11-02T10:00:00Z"}}, "text_data": json.dumps({"tokens": tokens})}
        if subject is not None:
            e["attributes"]["subject"] = {"ce_string": subject}
        return e

    unary = channel.unary_unary("/tally.ingest.v1.IngestService/IngestBatch", request_serializer=lambda m: m.SerializeToString(), response_deserializer=Reply.FromString)
    stream = channel.stream_unary("/tally.ingest.v1.IngestService/IngestStream", request_serializer=lambda m: m.SerializeToString(), response_deserializer=Reply.FromString)
    result = {"services": services, "methods": [m.name for m in service.methods]}
    result["unary"] = unary(Batch(events=[event(i) for i in range(3)]), metadata=auth).accepted
    result["stream"] = stream(iter([Batch(events=[event(10 + i) for i in range(2)]), Batch(events=[event(20 + i) for i in range(2)])]), metadata=auth).accepted
    try:
        unary(Batch(events=[event(30), event(31, subject=None), event(32, tokens="lots")]), metadata=auth)
        result["invalid"] = "accepted"
    except grpc.RpcError as error:
        result["invalid"] = [error.code().name, field_violations(error)]
    try:
        stream(iter([Batch(events=[event(40)]), Batch(events=[event(41, subject="")])]), metadata=auth)
        result["invalidStream"] = "accepted"
    except grpc.RpcError as error:
        result["invalidStream"] = [error.code().name, field_violations(error)]
    try:
        unary(Batch(events=[event(50)]))
        result["anonymous"] = "accepted"
    except grpc.RpcError as error:
        result["anonymous"] = error.code().name
    print(json.dumps(result, sort_keys=True))


def pool_has(pool, name):
    try:
        pool.FindFileByName(name)
        return True
    except KeyError:
        return False


if __name__ == "__main__":
    main()
