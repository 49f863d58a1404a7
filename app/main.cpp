#include "commandline.h"

#include <QCoreApplication>

#ifdef LOCKSCOPE_HAVE_GUI
#include "guimain.h"
#endif

int main(int argc, char *argv[])
{
    QStringList arguments;
    QList<QByteArray> raw;
    for (int i = 0; i < argc; ++i) {
        raw << QByteArray(argv[i]);
        arguments << QString::fromLocal8Bit(argv[i]);
    }

#ifdef LOCKSCOPE_HAVE_GUI
    if (!lockscope::isCommandLineInvocation(arguments))
        return lockscope::runGui(argc, argv);
#endif
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("lockscope"));
    QCoreApplication::setApplicationVersion(QStringLiteral(LOCKSCOPE_VERSION));
    if (!lockscope::isCommandLineInvocation(arguments))
        raw.insert(1, QByteArray("list"));
    return lockscope::runCommandLine(raw);
}
