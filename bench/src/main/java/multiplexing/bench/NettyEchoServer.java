package multiplexing.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * The reference: Netty's echo server on the NIO transport with one event-loop thread (it accepts
 * too), one thread and one Selector as in our steps, and their log lines. {@code NettyEchoServer
 * [port]}: port 0, the default, picks any free port.
 */
@Sharable
public final class NettyEchoServer extends ChannelInboundHandlerAdapter {
  public static void main(String[] args) throws InterruptedException {
    Channel listener =
        new ServerBootstrap()
            .group(new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()))
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(new NettyEchoServer())
            .bind("127.0.0.1", args.length > 0 ? Integer.parseInt(args[0]) : 0)
            .sync()
            .channel();
    System.out.println("listening on " + name(listener.localAddress()));
    listener.closeFuture().sync();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    System.out.println("accepted " + name(ctx.channel().remoteAddress()));
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ctx.write(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush(); // once per batch of reads: Netty's answer to a syscall per message
  }

  // Netty's water marks (32 to 64 KiB of pending output) bound what we hold, like steps 5 to 7.
  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    ctx.channel().config().setAutoRead(ctx.channel().isWritable());
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    System.out.println("closed by peer " + name(ctx.channel().remoteAddress()));
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    System.out.println("reset by peer " + name(ctx.channel().remoteAddress()));
    ctx.close();
  }

  private static String name(Object address) { // 127.0.0.1:9999, as the steps print it
    return ("" + address).substring(1);
  }
}
