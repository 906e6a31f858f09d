"""MQTT adapters (aiomqtt): one reconnecting connection per broker, and the MessageBroker over them."""
