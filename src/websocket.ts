/**
 * The WebSocket transport, an opt-in import (`triple-es/websocket`): every call kind, full duplex,
 * through the triple-es gateway (`--ws-port`), for engines without WebTransport and networks that
 * block UDP. Apps that do not import it pay nothing for it.
 */
export {
  createWebSocketTransport,
  type WebSocketConstructor,
  type WebSocketLike,
  type WebSocketTransport,
  type WebSocketTransportOptions,
} from "./transport/websocket.js";
