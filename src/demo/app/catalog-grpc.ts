/**
 * `shop.v1.Catalog`, the demo's gRPC service, described for @grpc/grpc-js
 * without proto-loader: two unary methods, messages from proto.ts.
 */
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import {
  decodeListRequest, decodeProduct, decodeProductList, decodeProductRequest,
  encodeListRequest, encodeProduct, encodeProductList, encodeProductRequest,
  type ListRequest, type Product,
} from './proto.js';

function unary<Req, Res>(path: string, req: [(v: Req) => Buffer, (b: Buffer) => Req], res: [(v: Res) => Buffer, (b: Buffer) => Res]): MethodDefinition<Req, Res> {
  return {
    path, requestStream: false, responseStream: false,
    requestSerialize: req[0], requestDeserialize: req[1],
    responseSerialize: res[0], responseDeserialize: res[1],
  };
}

export const CATALOG_SERVICE = {
  GetProduct: unary<number, Product>('/shop.v1.Catalog/GetProduct', [encodeProductRequest, decodeProductRequest], [encodeProduct, decodeProduct]),
  ListProducts: unary<ListRequest, Product[]>('/shop.v1.Catalog/ListProducts', [encodeListRequest, decodeListRequest], [encodeProductList, decodeProductList]),
} satisfies ServiceDefinition;
