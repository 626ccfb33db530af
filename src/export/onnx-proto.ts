import protobuf from 'protobufjs/light.js';

/**
 * The part of onnx.proto (package onnx, proto2) an MLP needs, as a protobufjs descriptor. Names
 * and field numbers are those of the official onnx/onnx.proto (IR version 7); fields mnn never
 * writes are left out, which the wire format allows: readers only see the fields present.
 */
const ONNX_SUBSET: protobuf.INamespace = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            ir_version: { id: 1, type: 'int64' },
            producer_name: { id: 2, type: 'string' },
            producer_version: { id: 3, type: 'string' },
            domain: { id: 4, type: 'string' },
            model_version: { id: 5, type: 'int64' },
            doc_string: { id: 6, type: 'string' },
            graph: { id: 7, type: 'GraphProto' },
            opset_import: { id: 8, type: 'OperatorSetIdProto', rule: 'repeated' },
            metadata_props: { id: 14, type: 'StringStringEntryProto', rule: 'repeated' },
          },
        },
        OperatorSetIdProto: {
          fields: {
            domain: { id: 1, type: 'string' },
            version: { id: 2, type: 'int64' },
          },
        },
        StringStringEntryProto: {
          fields: {
            key: { id: 1, type: 'string' },
            value: { id: 2, type: 'string' },
          },
        },
        GraphProto: {
          fields: {
            node: { id: 1, type: 'NodeProto', rule: 'repeated' },
            name: { id: 2, type: 'string' },
            initializer: { id: 5, type: 'TensorProto', rule: 'repeated' },
            doc_string: { id: 10, type: 'string' },
            input: { id: 11, type: 'ValueInfoProto', rule: 'repeated' },
            output: { id: 12, type: 'ValueInfoProto', rule: 'repeated' },
          },
        },
        NodeProto: {
          fields: {
            input: { id: 1, type: 'string', rule: 'repeated' },
            output: { id: 2, type: 'string', rule: 'repeated' },
            name: { id: 3, type: 'string' },
            op_type: { id: 4, type: 'string' },
            attribute: { id: 5, type: 'AttributeProto', rule: 'repeated' },
            doc_string: { id: 6, type: 'string' },
            domain: { id: 7, type: 'string' },
          },
        },
        AttributeProto: {
          fields: {
            name: { id: 1, type: 'string' },
            f: { id: 2, type: 'float' },
            i: { id: 3, type: 'int64' },
            type: { id: 20, type: 'int32' },
          },
        },
        TensorProto: {
          fields: {
            dims: { id: 1, type: 'int64', rule: 'repeated' },
            data_type: { id: 2, type: 'int32' },
            name: { id: 8, type: 'string' },
            raw_data: { id: 9, type: 'bytes' },
          },
        },
        ValueInfoProto: {
          fields: {
            name: { id: 1, type: 'string' },
            type: { id: 2, type: 'TypeProto' },
            doc_string: { id: 3, type: 'string' },
          },
        },
        TypeProto: {
          fields: {
            tensor_type: { id: 1, type: 'Tensor' },
          },
          nested: {
            Tensor: {
              fields: {
                elem_type: { id: 1, type: 'int32' },
                shape: { id: 2, type: 'TensorShapeProto' },
              },
            },
          },
        },
        TensorShapeProto: {
          fields: {
            dim: { id: 1, type: 'Dimension', rule: 'repeated' },
          },
          nested: {
            // A oneof in onnx.proto: mnn sets exactly one of the two.
            Dimension: {
              fields: {
                dim_value: { id: 1, type: 'int64' },
                dim_param: { id: 2, type: 'string' },
              },
            },
          },
        },
      },
    },
  },
};

/** TensorProto.DataType.FLOAT and AttributeProto.AttributeType values used by mnn's graphs. */
export const ONNX_FLOAT = 1;
export const ATTRIBUTE_FLOAT = 1;
export const ATTRIBUTE_INT = 2;

let modelProto: protobuf.Type | undefined;

/** The protobufjs type of onnx.ModelProto, built once from the descriptor above. */
export function onnxModelProto(): protobuf.Type {
  modelProto ??= protobuf.Root.fromJSON(ONNX_SUBSET).lookupType('onnx.ModelProto');
  return modelProto;
}
