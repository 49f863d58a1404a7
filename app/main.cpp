#include "commandline.h"

#include <QCoreApplication>

#ifdef LOCKSCOPE_HAVE_GUI
#include "guimain.h"
#endif

int main(int argc, char *argv[])
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);

#ifdef LOCKSCOPE_HAVE_GUI
    if (!lockscope::isCommandLineInvocation(arguments))
        return lockscope::runGui(argc, argv);
#endif
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("lockscope"));
    QCoreApplication::setApplicationVersion(QStringLiteral(LOCKSCOPE_VERSION));
    if (!lockscope::isCommandLineInvocation(arguments))
        arguments.insert(1, QStringLiteral("list"));
    return lockscope::runCommandLine(arguments);
}
